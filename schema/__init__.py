"""The GraphQL API at /graphql."""

from starlette.routing import Route
from starlette.responses import JSONResponse


def graphql_route() -> Route:
    async def placeholder(request):
        return JSONResponse({"errors": [{"message": "GraphQL is being built."}]}, status_code=503)

    return Route("/graphql", placeholder, methods=["GET", "POST"])
