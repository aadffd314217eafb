"""The GraphQL client and page sign-in fixtures, shared with tests/graphql and tests/views."""

from tests.graphql.conftest import gql  # noqa: F401
from tests.views.conftest import signed_in  # noqa: F401
