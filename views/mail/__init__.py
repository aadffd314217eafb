"""Mail pages: the Mail panels of contacts, leads, accounts, deals and Books contacts (tabs), an
e-mail's own page with its body frame and files (emails), writing e-mail from a record's page or
in reply to an e-mail (compose), and Settings > Mail for the user's and a Books organization's
mailboxes (mailboxes), and the Mail page where .eml and .msg files are uploaded, also onto a
record (uploads). Every read goes through app.services.mail, every change through
app.services.mailboxes and app.services.mail_compose."""

from views.mail import compose, emails, mailboxes, tabs, uploads

routes = [*tabs.routes, *compose.routes, *emails.routes, *mailboxes.routes, *uploads.routes]

__all__ = ["routes"]
