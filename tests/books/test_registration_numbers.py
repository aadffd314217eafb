"""Registration numbers are T and 13 ASCII digits after normalisation (issue 10, section 4):
full-width forms are folded (NFKC), digits of other scripts are refused."""

from __future__ import annotations

import pytest

from app.errors import ValidationError
from app.permissions import Principal
from app.services.books_contacts import books_contacts
from app.services.organizations import normalize_registration_number, organizations, registration_number_problem
from tests import factories as f

ARABIC_INDIC = "T" + "7000012050002".translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
DEVANAGARI = "T" + "7000012050002".translate(str.maketrans("0123456789", "०१२३४५६७८९"))
MESSAGE = "Enter T followed by the 13 digits of the registration number."


@pytest.mark.parametrize("typed", ["T7000012050002", "t7000-0120-50002", "Ｔ７０００ ０１２０ ５０００２",
                                   "ｔ７０００－０１２０－５０００２", " T 7000012050002\n"])
def test_forms_people_type_normalise_to_ascii(typed):
    number = normalize_registration_number(typed)
    assert number == "T7000012050002" and registration_number_problem(number) is None


@pytest.mark.parametrize("typed", [ARABIC_INDIC, DEVANAGARI, "T7000012050002\n0", "T７000012050002x",
                                   "T𝟕𝟎𝟎𝟎𝟎𝟏𝟐𝟎𝟓𝟎𝟎𝟎𝟐"[:1] + "٧" * 13])
def test_other_digits_are_refused(typed):
    assert registration_number_problem(normalize_registration_number(typed)) == MESSAGE


async def test_organization_and_vendor_refuse_arabic_indic_digits(db):
    admin = await Principal.load(await f.make_user("Administrator"))
    org = await f.make_org(admin.user)
    admin = await Principal.load(admin.user)
    for service, record_id, extra in ((organizations, org.id, {}),
                                      (books_contacts, (await f.make_customer(org)).id, {})):
        with pytest.raises(ValidationError) as err:
            await service.update(admin, record_id, {"registration_number": ARABIC_INDIC, **extra})
        assert [(e.field, e.message) for e in err.value.errors] == [("registration_number", MESSAGE)]
    assert (await organizations.get(admin, org.id)).registration_number == f.REGISTRATION_NUMBER
