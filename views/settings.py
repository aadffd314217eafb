"""Settings > Users & roles, for administrators: users, roles and their permission matrix,
sharing rules. Every change goes through app.services.users, .roles and .sharing (the rules the
GraphQL mutations use too), which check the rules again."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from app.errors import Conflict, ValidationError
from app.i18n import N_
from app.models import Access, User
from app.permissions import CRM_MODULES, MODULE_ACTIONS, MODULES, require
from app.services import roles as role_service
from app.services import sharing as sharing_service
from app.services import users as user_service
from views.pages import page
from views.records import error_map
from views.templating import render, translator

MODULE_LABELS = {
    "accounts": N_("Accounts"), "contacts": N_("Contacts"), "leads": N_("Leads"),
    "deals": N_("Deals"), "tasks": N_("Tasks"), "events": N_("Events"), "cases": N_("Cases"),
    "products": N_("Products"),
    "books_contacts": N_("Customers & vendors"), "items": N_("Items"), "estimates": N_("Estimates"),
    "sales_orders": N_("Sales orders"), "invoices": N_("Invoices"), "purchase_orders": N_("Purchase orders"),
    "credit_notes": N_("Credit notes"),
    "receivables": N_("Receivables"),
    "settings": N_("Settings"),
}
ACTION_LABELS = {
    "view": N_("View"), "create_edit": N_("Create & edit"), "delete": N_("Delete"),
    "email": N_("E-mail"), "admin": N_("Administer"),
}
ACCESS_LABELS = {Access.READ_ONLY.value: N_("Read only"), Access.READ_WRITE.value: N_("Read & write")}


def admin_page(handler):
    """Only administrators (the settings.admin grant); others get 403."""

    async def guarded(request: Request) -> Response:
        require(request.state.principal, "admin", "settings")
        return await handler(request)

    guarded.__name__ = handler.__name__
    return page(guarded)


async def _users_page(request: Request, status_code: int = 200, **context) -> Response:
    context.setdefault("errors", {})
    context.setdefault("values", {})
    context.update(
        users=await User.all().select_related("role"),
        roles=await role_service.roles(),
    )
    return render(request, "settings/users.html", context, status_code=status_code)


async def settings_home(request: Request) -> Response:
    admin = request.state.principal.is_admin
    return RedirectResponse("/settings/users" if admin else "/settings/account", status_code=303)


async def users(request: Request) -> Response:
    return await _users_page(request)


async def create_user(request: Request) -> Response:
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("email", "name", "password", "role_id")}
    try:
        await user_service.create_user(request.state.principal, values)
    except ValidationError as exc:
        values.pop("password")
        return await _users_page(request, 422, errors=error_map(exc, request), values=values)
    return RedirectResponse("/settings/users", status_code=303)


async def update_user(request: Request) -> Response:
    form = await request.form()
    data = {"role_id": str(form.get("role_id", "")), "is_active": form.get("is_active") == "on"}
    try:
        await user_service.update_user(request.state.principal, request.path_params["id"], data)
    except (ValidationError, Conflict) as exc:
        return await _users_page(request, 409, problem=exc.render(translator(request)))
    return RedirectResponse("/settings/users", status_code=303)


async def create_role(request: Request) -> Response:
    form = await request.form()
    data = {"name": str(form.get("name", "")), "description": str(form.get("description", "")),
            "sees_all_records": form.get("sees_all_records") == "on"}
    try:
        role = await role_service.create_role(request.state.principal, data)
    except ValidationError as exc:
        return await _users_page(request, 422, role_errors=error_map(exc, request), role_values=data)
    return RedirectResponse(f"/settings/roles/{role.id}", status_code=303)


async def _role_page(request: Request, role_id: int, status_code: int = 200, **context) -> Response:
    role, grants = await role_service.grants_of(request.state.principal, role_id)
    context.setdefault("errors", {})
    context.update(role=role, grants=grants, modules=MODULES, module_actions=MODULE_ACTIONS,
                   module_labels=MODULE_LABELS, action_labels=ACTION_LABELS,
                   member_count=await User.filter(role_id=role.id).count())
    context.setdefault("values", {"name": role.name, "description": role.description,
                                  "sees_all_records": role.sees_all_records})
    return render(request, "settings/role.html", context, status_code=status_code)


async def role_detail(request: Request) -> Response:
    return await _role_page(request, request.path_params["id"])


async def update_role(request: Request) -> Response:
    form = await request.form()
    data = {"name": str(form.get("name", "")), "description": str(form.get("description", "")),
            "sees_all_records": form.get("sees_all_records") == "on"}
    role_id = request.path_params["id"]
    try:
        await role_service.update_role(request.state.principal, role_id, data)
    except ValidationError as exc:
        return await _role_page(request, role_id, 422, errors=error_map(exc, request), values=data)
    return RedirectResponse(f"/settings/roles/{role_id}?updated=1", status_code=303)


async def delete_role(request: Request) -> Response:
    role_id = request.path_params["id"]
    try:
        await role_service.delete_role(request.state.principal, role_id)
    except Conflict as exc:
        return await _role_page(request, role_id, 409, problem=exc.render(translator(request)))
    return RedirectResponse("/settings/users#roles", status_code=303)


async def save_grants(request: Request) -> Response:
    form = await request.form()
    wanted = [tuple(str(v).split(".", 1)) for v in form.getlist("grant") if "." in str(v)]
    role_id = request.path_params["id"]
    try:
        await role_service.set_grants(request.state.principal, role_id, wanted)
    except (ValidationError, Conflict) as exc:
        return await _role_page(request, role_id, 409, problem=exc.render(translator(request)))
    return RedirectResponse(f"/settings/roles/{role_id}?saved=1", status_code=303)


async def _sharing_page(request: Request, status_code: int = 200, **context) -> Response:
    context.setdefault("errors", {})
    context.update(
        rules=await sharing_service.rules(request.state.principal),
        users=await User.filter(is_active=True), roles=await role_service.roles(),
        modules=CRM_MODULES, module_labels=MODULE_LABELS, access_labels=ACCESS_LABELS,
    )
    return render(request, "settings/sharing.html", context, status_code=status_code)


async def sharing(request: Request) -> Response:
    return await _sharing_page(request)


async def create_sharing_rule(request: Request) -> Response:
    form = await request.form()
    keys = ("module", "access", "owner_user_id", "owner_role_id", "grantee_user_id", "grantee_role_id")
    data = {k: str(form.get(k, "")) for k in keys}
    try:
        await sharing_service.create_sharing_rule(request.state.principal, data)
    except ValidationError as exc:
        return await _sharing_page(request, 422, errors=error_map(exc, request))
    return RedirectResponse("/settings/sharing", status_code=303)


async def delete_sharing_rule(request: Request) -> Response:
    await sharing_service.delete_sharing_rule(request.state.principal, request.path_params["id"])
    return RedirectResponse("/settings/sharing", status_code=303)


routes = [
    Route("/settings", page(settings_home)),
    Route("/settings/users", admin_page(users)),
    Route("/settings/users", admin_page(create_user), methods=["POST"]),
    Route("/settings/users/{id:id}", admin_page(update_user), methods=["POST"]),
    Route("/settings/roles", admin_page(create_role), methods=["POST"]),
    Route("/settings/roles/{id:id}", admin_page(role_detail)),
    Route("/settings/roles/{id:id}", admin_page(update_role), methods=["POST"]),
    Route("/settings/roles/{id:id}/delete", admin_page(delete_role), methods=["POST"]),
    Route("/settings/roles/{id:id}/grants", admin_page(save_grants), methods=["POST"]),
    Route("/settings/sharing", admin_page(sharing)),
    Route("/settings/sharing", admin_page(create_sharing_rule), methods=["POST"]),
    Route("/settings/sharing/{id:id}/delete", admin_page(delete_sharing_rule), methods=["POST"]),
]
