"""Server-rendered pages (Jinja2 + htmx): one module per domain, routes collected here."""

from views import ids  # noqa: F401  (first: bounds `{id:id}` in every route below)
from views import (
    accounts, activities, auth, books, calendar, books_automation, books_crm, books_link, cases, contacts, deals, leads, mail,
    mail_actions, notifications, portal, chat, home,
    pim, pim_files, preferences, products, settings,
)
from views.pages import exception_handlers, routes as site_routes

routes = [
    *auth.routes,
    *home.routes,
    *accounts.routes,
    *contacts.routes,
    *leads.routes,
    *deals.routes,
    *activities.routes,
    *calendar.routes,
    *cases.routes,
    *products.routes,
    *books.routes,
    *books_link.routes,
    *notifications.routes,
    *books_automation.routes,
    *books_crm.routes,
    *chat.routes,
    *mail.routes,
    *mail_actions.routes,
    *portal.routes,
    *settings.routes,
    *preferences.routes,
    *pim_files.routes,  # first: /settings/pim/import is not a kind's /settings/pim/{kind}
    *pim.routes,
    *site_routes,
]

__all__ = ["exception_handlers", "routes"]
