"""Hypothesis profiles, and the GraphQL client and sign-in fixtures shared with tests/graphql and
tests/views.

`kizuna` (the default): 30 derandomized examples a test, the same on every run, well under a
minute for the module. `KIZUNA_HYPOTHESIS=explore`: 500 random examples, to look for new failures
locally (hypothesis prints the falsifying example to turn into a regression test)."""

import os

from hypothesis import HealthCheck, settings

from tests.graphql.conftest import gql  # noqa: F401
from tests.views.conftest import signed_in  # noqa: F401

# One set of records serves every example (a function-scoped fixture, deliberately); requests
# with long texts are slow on a shared machine and large by design.
_COMMON = dict(deadline=None, database=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("kizuna", max_examples=30, derandomize=True, **_COMMON)
settings.register_profile("explore", max_examples=500, **_COMMON)
settings.load_profile(os.environ.get("KIZUNA_HYPOTHESIS", "kizuna"))
