"""The Books section: customers & vendors, items, the four transaction kinds, receivables, the
customer portal link, and the organization settings."""

from views.books import archive, masters, portal_staff, settings, transactions

routes = [*masters.routes, *archive.routes, *transactions.routes, *portal_staff.routes, *settings.routes]
