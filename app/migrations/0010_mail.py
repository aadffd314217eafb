from tortoise import migrations
from tortoise.migrations import operations as ops
from app.crypto import EncryptedField
from app.models.books import SmtpSecurity
from app.models.mail import Direction, MailboxSharing, ParticipantRole
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

# Frozen here as app.db.ADDRESS_INDEXES wrote them: mail is matched by lower(address).
ADDRESS_INDEXES = [
    f"CREATE INDEX IF NOT EXISTS idx_{table}_{column}_lower ON {table} (lower({column}))"
    for table, column in (("contacts", "email"), ("contacts", "secondary_email"), ("leads", "email"),
                          ("users", "email"), ("books_contacts", "email"), ("contact_persons", "email"))
]


async def create_address_indexes(apps, schema_editor) -> None:
    for statement in ADDRESS_INDEXES:
        await schema_editor.client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [('models', '0009_search')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Email',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=255)),
                ('message_id', fields.CharField(default='', db_index=True, max_length=255)),
                ('in_reply_to', fields.CharField(default='', max_length=255)),
                ('references', fields.TextField(default='', unique=False)),
                ('thread_id', fields.IntField(null=True, db_index=True)),
                ('subject', fields.TextField(default='', unique=False)),
                ('normalized_subject', fields.CharField(default='', db_index=True, max_length=255)),
                ('sent_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('from_email', fields.CharField(default='', max_length=254)),
                ('from_name', fields.CharField(default='', max_length=255)),
                ('body_parsed', fields.BooleanField(default=False, db_index=True)),
                ('source_pack', fields.CharField(default='', db_index=True, max_length=40)),
                ('source_offset', fields.BigIntField(default=0)),
                ('source_length', fields.IntField(default=0)),
                ('text_body', fields.TextField(default='', unique=False)),
                ('html_body', fields.TextField(default='', unique=False)),
                ('snippet', fields.CharField(default='', max_length=200)),
                ('size', fields.IntField(default=0)),
                ('is_bulk', fields.BooleanField(default=False)),
                ('malformed', fields.BooleanField(default=False)),
                ('defects', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('sent_from_kizuna', fields.BooleanField(default=False)),
                ('sent_by', fields.ForeignKeyField('models.User', source_field='sent_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'emails', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ContactComment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', db_index=True, db_constraint=True, to_field='id', related_name='comments', on_delete=OnDelete.CASCADE)),
                ('text', fields.TextField(unique=False)),
                ('email', fields.ForeignKeyField('models.Email', source_field='email_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'contact_comments', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A comment on the overview (activity) of a contact, e.g. an e-mail added to it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EmailDeal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.OneToOneField('models.Email', source_field='email_id', db_constraint=True, to_field='id', related_name='deal_link', on_delete=OnDelete.CASCADE)),
                ('deal', fields.ForeignKeyField('models.Deal', source_field='deal_id', db_index=True, db_constraint=True, to_field='id', related_name='email_links', on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('automatic', fields.BooleanField(default=True)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'email_deals', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The association of an e-mail with a deal (seed 004), one deal per e-mail. It stays until someone'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EmailLink',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.ForeignKeyField('models.Email', source_field='email_id', db_index=True, db_constraint=True, to_field='id', related_name='links', on_delete=OnDelete.CASCADE)),
                ('contact', fields.ForeignKeyField('models.Contact', source_field='contact_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('lead', fields.ForeignKeyField('models.Lead', source_field='lead_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'email_links', 'app': 'models', 'unique_together': (('email', 'contact'), ('email', 'lead')), 'pk_attr': 'id', 'table_description': 'An e-mail added by hand to a contact or a lead (found by search, whatever its addresses).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EmailParticipant',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.ForeignKeyField('models.Email', source_field='email_id', db_index=True, db_constraint=True, to_field='id', related_name='participants', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(description='FROM: from\nTO: to\nCC: cc', enum_type=ParticipantRole, max_length=4)),
                ('address', fields.CharField(db_index=True, max_length=254)),
                ('name', fields.CharField(default='', max_length=255)),
            ],
            options={'table': 'email_participants', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MailBlob',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('sha256', fields.CharField(unique=True, max_length=64)),
                ('size', fields.BigIntField()),
            ],
            options={'table': 'mail_blobs', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The bytes of attachments, stored once by SHA-256 under DOCUMENTS_DIR/mail/.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EmailAttachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.ForeignKeyField('models.Email', source_field='email_id', db_index=True, db_constraint=True, to_field='id', related_name='attachments', on_delete=OnDelete.CASCADE)),
                ('blob', fields.ForeignKeyField('models.MailBlob', source_field='blob_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('filename', fields.CharField(default='', max_length=255)),
                ('content_type', fields.CharField(default='application/octet-stream', max_length=100)),
                ('size', fields.BigIntField(default=0)),
                ('content_id', fields.CharField(default='', max_length=255)),
                ('inline', fields.BooleanField(default=False)),
            ],
            options={'table': 'email_attachments', 'app': 'models', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Mailbox',
            fields=[
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('modified_at', fields.DatetimeField(db_index=True, auto_now=True, auto_now_add=False)),
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', db_index=True, db_constraint=True, to_field='id', related_name='mailboxes', on_delete=OnDelete.CASCADE)),
                ('organization', fields.ForeignKeyField('models.Organization', source_field='organization_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='mailboxes', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(db_index=True, max_length=254)),
                ('imap_host', fields.CharField(max_length=255)),
                ('imap_port', fields.IntField(default=993)),
                ('imap_security', fields.CharEnumField(default=SmtpSecurity.TLS, description='STARTTLS: starttls\nTLS: tls\nNONE: none', enum_type=SmtpSecurity, max_length=10)),
                ('username', fields.CharField(max_length=255)),
                ('password', EncryptedField(default='')),
                ('sharing', fields.CharEnumField(default=MailboxSharing.PRIVATE, description='PRIVATE: private\nALL: all\nCHOSEN: chosen', enum_type=MailboxSharing, max_length=10)),
                ('smtp_host', fields.CharField(default='', max_length=255)),
                ('smtp_port', fields.IntField(default=587)),
                ('smtp_security', fields.CharEnumField(default=SmtpSecurity.STARTTLS, description='STARTTLS: starttls\nTLS: tls\nNONE: none', enum_type=SmtpSecurity, max_length=10)),
                ('smtp_username', fields.CharField(default='', max_length=255)),
                ('smtp_password', EncryptedField(default='')),
                ('enabled', fields.BooleanField(default=True)),
                ('connected_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_sync_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(default='', max_length=1000)),
                ('failing_since', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('next_sync_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('message_count', fields.IntField(default=0)),
            ],
            options={'table': 'mailboxes', 'app': 'models', 'pk_attr': 'id'},
            bases=['Timestamped'],
        ),
        ops.CreateModel(
            name='MailFolder',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('mailbox', fields.ForeignKeyField('models.Mailbox', source_field='mailbox_id', db_index=True, db_constraint=True, to_field='id', related_name='folders', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=255)),
                ('sync', fields.BooleanField(default=True)),
                ('is_sent', fields.BooleanField(default=False)),
                ('uidvalidity', fields.BigIntField(default=0)),
                ('last_uid', fields.BigIntField(default=0)),
                ('uidnext', fields.BigIntField(default=0)),
                ('last_synced_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'mail_folders', 'app': 'models', 'unique_together': (('mailbox', 'name'),), 'pk_attr': 'id', 'table_description': 'A folder of a mailbox and the cursor of the sync in it: UIDs up to `last_uid` under'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EmailCopy',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.ForeignKeyField('models.Email', source_field='email_id', db_index=True, db_constraint=True, to_field='id', related_name='copies', on_delete=OnDelete.CASCADE)),
                ('mailbox', fields.ForeignKeyField('models.Mailbox', source_field='mailbox_id', db_index=True, db_constraint=True, to_field='id', related_name='copies', on_delete=OnDelete.CASCADE)),
                ('folder', fields.ForeignKeyField('models.MailFolder', source_field='folder_id', null=True, db_index=True, db_constraint=True, to_field='id', related_name='copies', on_delete=OnDelete.CASCADE)),
                ('uidvalidity', fields.BigIntField(default=0)),
                ('uid', fields.BigIntField(default=0)),
                ('direction', fields.CharEnumField(default=Direction.INCOMING, description='INCOMING: incoming\nOUTGOING: outgoing', enum_type=Direction, max_length=10)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'email_copies', 'app': 'models', 'unique_together': (('folder', 'uidvalidity', 'uid'), ('mailbox', 'email', 'folder')), 'pk_attr': 'id', 'table_description': 'A copy of a message held by one mailbox: a folder and UID, or none for mail sent from'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MailboxShare',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('mailbox', fields.ForeignKeyField('models.Mailbox', source_field='mailbox_id', db_index=True, db_constraint=True, to_field='id', related_name='shares', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'mailbox_shares', 'app': 'models', 'unique_together': (('mailbox', 'user'),), 'pk_attr': 'id', 'table_description': 'A user a CHOSEN-sharing mailbox is shared with.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SentAppend',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('mailbox', fields.ForeignKeyField('models.Mailbox', source_field='mailbox_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('email', fields.ForeignKeyField('models.Email', source_field='email_id', db_index=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('sha256', fields.CharField(max_length=64)),
                ('attempts', fields.IntField(default=0)),
                ('last_error', fields.CharField(default='', max_length=1000)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'mail_sent_appends', 'app': 'models', 'pk_attr': 'id', 'table_description': "A message sent from Kizuna still to be appended to its mailbox's Sent folder (an outbox:"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SyncRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('mailbox', fields.ForeignKeyField('models.Mailbox', source_field='mailbox_id', db_index=True, db_constraint=True, to_field='id', related_name='runs', on_delete=OnDelete.CASCADE)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('fetched', fields.IntField(default=0)),
                ('stored', fields.IntField(default=0)),
                ('complete', fields.BooleanField(default=False)),
                ('error', fields.CharField(default='', max_length=1000)),
                ('roundtrips', fields.IntField(default=0)),
            ],
            options={'table': 'mail_sync_runs', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One run of the sync of a mailbox: what it fetched and stored, and how it ended.'},
            bases=['Model'],
        ),
        ops.RunPython(create_address_indexes, ops.RunPython.noop),
    ]
