"""Mail pages: the Mail panels of contacts, leads, accounts, deals and Books contacts (tabs), an
e-mail's own page with its body frame and files (emails), and Settings > Mail for the user's and
a Books organization's mailboxes (mailboxes). Every read goes through app.services.mail, every
change through app.services.mailboxes."""

from views.mail import emails, mailboxes, tabs

routes = [*tabs.routes, *emails.routes, *mailboxes.routes]

__all__ = ["routes"]
