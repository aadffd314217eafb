"""The Books section: customers & vendors, items, the four transaction kinds, receivables, the
customer portal link, and the organization settings."""

from views.books import masters, settings, transactions

routes = [*masters.routes, *transactions.routes, *settings.routes]
