from app.models import Contact
from tests.factories import make_contact, make_user


async def test_db_fresh_per_test(db):
    user = await make_user()
    await make_contact(user)
    assert await Contact.all().count() == 1


async def test_db_fresh_again(db):
    assert await Contact.all().count() == 0
