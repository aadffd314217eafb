from tortoise import fields
from tortoise import migrations

from app.migration_ops import AlterFieldStateOnly
from app.models.notifications import EventType


class Migration(migrations.Migration):
    """Credit notes' portal events (viewed, commented): a new value of the event type only."""

    dependencies = [('models', '0035_fx16')]

    initial = False

    operations = [
        AlterFieldStateOnly(
            model_name='NotificationEvent',
            name='type',
            field=fields.CharEnumField(description='ESTIMATE_VIEWED: estimate.viewed\nESTIMATE_COMMENTED: estimate.commented\nESTIMATE_ACCEPTED: estimate.accepted\nESTIMATE_DECLINED: estimate.declined\nINVOICE_VIEWED: invoice.viewed\nINVOICE_COMMENTED: invoice.commented\nINVOICE_PAID: invoice.paid\nINVOICE_TRANSFER_REPORTED: invoice.transfer_reported\nCREDIT_NOTE_VIEWED: credit_note.viewed\nCREDIT_NOTE_COMMENTED: credit_note.commented', enum_type=EventType, max_length=30),
        ),
    ]
