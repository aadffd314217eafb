"""Threading keys: Message-ID links, Kizuna's subject token, the subject fallback."""

from __future__ import annotations

import pytest

from app.mail.mime import parse
from app.mail.threads import fallback_key, find_token, normalize_subject, subject_token, thread_keys, valid_token
from tests.mail.corpus import crlf

KEY = b"k" * 32


@pytest.mark.parametrize("email_id", [1, 42, 2**31, 2**63])
def test_token_round_trips(email_id):
    token = subject_token(email_id, secret=KEY)
    assert token.startswith("[KZ#") and token.endswith("]")
    assert find_token(f"Re: 御見積書 {token}", secret=KEY) == email_id
    assert find_token(f"RE: 御見積書 {token.lower()}", secret=KEY) == email_id  # clients change case


def test_forged_and_broken_tokens_are_refused():
    token = subject_token(42, secret=KEY)
    assert find_token(token, secret=b"another server") is None
    assert find_token(token.replace(token[5], "A" if token[5] != "A" else "B"), secret=KEY) is None
    for junk in ["[KZ#]", "[KZ#AAAAAAA]", "[KZ#" + "7" * 24 + "]", "[KZ#!!!!!!!]", "", None]:
        assert find_token(junk, secret=KEY) is None


def test_the_first_valid_token_wins_and_is_returned_as_written():
    good = subject_token(7, secret=KEY)
    assert valid_token(f"[KZ#AAAAAAAA] {good} {subject_token(8, secret=KEY)}", secret=KEY) == good


def test_tokens_use_the_server_secret_by_default():
    assert find_token(subject_token(99)) == 99


def test_invalid_ids_are_refused():
    with pytest.raises(ValueError):
        subject_token(0)


@pytest.mark.parametrize(("subject", "normal"), [
    ("Re: 御見積書の件", "御見積書の件"),
    ("RE: Re: FW: Fwd: Estimate", "estimate"),
    ("Re[2]: Re(3): AW: WG: 見積", "見積"),
    ("ＲＥ：　見積", "見積"),
    ("返信: 転送: 見積", "見積"),
    ("[users:01234] Re: [users:01235] 見積", "見積"),
    ("Re: 御見積書 [KZ#AEAAAAA]", "御見積書"),
    ("  見積   書  ", "見積 書"),
    ("Report: Q3", "report: q3"),  # not a prefix: "Re" must stand alone
    ("", ""),
])
def test_normalized_subject(subject, normal):
    assert normalize_subject(subject) == normal


def test_a_hostile_subject_of_prefixes_is_bounded():
    assert normalize_subject("Re: " * 10000 + "x").startswith("re:")


def test_thread_keys_nearest_first_without_own_id():
    raw = crlf(b"From: a@b.example\nMessage-ID: <me@x.example>\nIn-Reply-To: <parent@X.example>\n"
               b"References: <root@x.example> <mid@x.example> <parent@x.example> <me@x.example>\n\nbody")
    parsed = parse(raw)
    assert thread_keys(parsed) == ["parent@x.example", "mid@x.example", "root@x.example"]


def test_fallback_key_is_the_same_both_ways_of_a_conversation():
    one = fallback_key("見積", ["a@x.example", "B@y.example"])
    assert one == fallback_key("見積", ["b@y.example", "a@x.example", "a@x.example"])
    assert one != fallback_key("見積", ["a@x.example", "c@y.example"])
    assert fallback_key("", ["a@x.example"]) is None


def test_parse_reads_the_token_from_the_subject_or_kizunas_header():
    token = subject_token(5)
    by_subject = parse(crlf(f"From: a@b.example\nSubject: Re: 見積 {token}\n\nbody".encode()))
    assert by_subject.kizuna_token == token and find_token(by_subject.kizuna_token) == 5
    assert by_subject.normalized_subject == "見積"
    by_header = parse(crlf(f"From: a@b.example\nSubject: x\nX-Kizuna-Token: {token}\n\nbody".encode()))
    assert by_header.kizuna_token == token
    forged = parse(crlf(b"From: a@b.example\nSubject: Re: [KZ#AEAAAAAA]\n\nbody"))
    assert forged.kizuna_token is None
