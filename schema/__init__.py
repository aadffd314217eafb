"""The GraphQL API at /graphql: the schema, and the route that guards it.

Authentication is checked before GraphQL runs: a session cookie (unsafe requests then carry the
X-CSRF-Token header, enforced by CSRFMiddleware) or `Authorization: Bearer <API token>`.
Anonymous callers get 401 with an UNAUTHENTICATED error; anonymous browsers asking for the
GraphiQL page are sent to the login page. Root fields carry `IsAuthenticated` as well, so the
schema is safe even when executed without the route.
"""

from __future__ import annotations

import strawberry
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from app import settings
from app.i18n import N_, gettext
from app.limits import limit_body
from schema.context import Context, build_context
from schema.extensions import Schema, extensions
from schema.http import GraphQLOverHTTP
from schema.mutations.accounts import AccountMutation
from schema.mutations.activities import ActivityMutation
from schema.mutations.books import BooksMutation
from schema.mutations.books_link import BooksLinkMutation
from schema.mutations.books_consolidation import BooksConsolidationMutation
from schema.mutations.books_transactions import BooksTransactionMutation
from schema.mutations.cases import CaseMutation
from schema.mutations.chat import ChatMutation
from schema.mutations.contacts import ContactMutation
from schema.mutations.credit_notes import CreditNoteMutation
from schema.mutations.deals import DealMutation
from schema.mutations.lead_conversion import LeadConversionMutation
from schema.mutations.leads import LeadMutation
from schema.mutations.mail import MailMutation
from schema.mutations.mailboxes import MailboxMutation
from schema.mutations.notifications import NotificationMutation
from schema.mutations.pim import PimMutation
from schema.mutations.products import ProductMutation
from schema.mutations.roles import RoleMutation
from schema.mutations.saved_views import SavedViewMutation
from schema.mutations.users import ApiTokenMutation, SessionMutation
from schema.queries.accounts import AccountQuery
from schema.queries.archive import ArchiveQuery
from schema.queries.activities import ActivityQuery
from schema.queries.books import BooksQuery
from schema.queries.books_link import BooksLinkQuery
from schema.queries.cases import CaseQuery
from schema.queries.chat import ChatQuery
from schema.queries.contacts import ContactQuery
from schema.queries.deals import DealQuery
from schema.queries.leads import LeadQuery
from schema.queries.mail import MailQuery
from schema.queries.notifications import NotificationQuery
from schema.queries.pim import PimQuery
from schema.queries.preview import PreviewQuery
from schema.queries.products import ProductQuery
from schema.queries.roles import RoleQuery
from schema.queries.saved_views import SavedViewQuery
from schema.queries.users import UserQuery
from schema.scalars import SCALAR_OVERRIDES
from schema.types.activities import Event, Task
from schema.types.roles import Role, SharingRule
from schema.types.users import ApiToken, User

__all__ = ["Context", "graphql_route", "schema"]

AUTH_MESSAGE = N_("Sign in, or send an API token (Authorization: Bearer ...).")


@strawberry.type
class Query(
    UserQuery, RoleQuery, AccountQuery, ContactQuery, LeadQuery, DealQuery, ActivityQuery, CaseQuery, ProductQuery,
    BooksQuery, ArchiveQuery, PreviewQuery, MailQuery, BooksLinkQuery, NotificationQuery, ChatQuery, PimQuery, SavedViewQuery,
):
    pass


@strawberry.type
class Mutation(
    AccountMutation, ContactMutation, LeadMutation, DealMutation, ActivityMutation, CaseMutation, ProductMutation,
    ApiTokenMutation, SessionMutation, RoleMutation, BooksMutation, BooksTransactionMutation, MailMutation,
    MailboxMutation, BooksLinkMutation, NotificationMutation, ChatMutation, PimMutation, LeadConversionMutation,
    SavedViewMutation,
    BooksConsolidationMutation, CreditNoteMutation,
):
    pass


schema = Schema(
    query=Query,
    mutation=Mutation,
    extensions=extensions(),
    types=[User, Role, SharingRule, ApiToken, Task, Event],
    scalar_overrides=SCALAR_OVERRIDES,
)


class KizunaGraphQL(GraphQLOverHTTP):
    async def get_context(self, request: Request, response: Response) -> Context:
        return build_context(request, response)

    async def render_graphql_ide(self, request: Request) -> Response:
        # Our own page from vendored files (no CDN, no inline script), not strawberry's.
        from views.graphiql import graphiql_page

        return graphiql_page(request)


class GraphQLEndpoint:
    """Turns anonymous callers away, then hands the request to strawberry."""

    def __init__(self) -> None:
        # Queries only by POST: a GET query would skip the CSRF check that guards cookie users
        # (schema/http.py answers it 405).
        self.view = KizunaGraphQL(schema, graphql_ide="graphiql", allow_queries_via_get=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if getattr(request.state, "user", None) is None:
            if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
                response: Response = RedirectResponse("/login?next=/graphql", status_code=303)
            else:
                lang = getattr(request.state, "lang", "en")
                response = JSONResponse(
                    {"errors": [{"message": gettext(lang, AUTH_MESSAGE),
                                 "extensions": {"code": "UNAUTHENTICATED"}}]},
                    status_code=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
            await response(scope, receive, send)
            return
        await self.view(scope, receive, send)


def graphql_route() -> Route:
    # Every method reaches the view, which answers 405 for those it refuses (schema/http.py).
    return limit_body(Route("/graphql", GraphQLEndpoint()), settings.GRAPHQL_MAX_BODY_BYTES, json=True)
