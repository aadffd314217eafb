from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_event_attendee_email_index')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Contact',
            index=Index(fields=['last_name', 'first_name', 'id']),
        ),
        ops.AddIndex(
            model_name='Lead',
            index=Index(fields=['last_name', 'first_name', 'id']),
        ),
    ]
