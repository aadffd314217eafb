"""All models, registered with tortoise as the single app `models`."""

from app.models.activities import (
    Event,
    EventAttendee,
    RelatedType,
    Task,
    TaskPriority,
    TaskStatus,
)
from app.models.crm import (
    Account,
    Case,
    CaseStatus,
    Contact,
    Deal,
    DealContact,
    Lead,
    LeadStatus,
    Stage,
    StageCategory,
)
from app.models.users import Access, ApiToken, Grant, LoginAttempt, Role, SharingRule, User

__all__ = [
    "Access",
    "Account",
    "ApiToken",
    "Case",
    "CaseStatus",
    "Contact",
    "Deal",
    "DealContact",
    "Event",
    "EventAttendee",
    "Grant",
    "Lead",
    "LeadStatus",
    "LoginAttempt",
    "RelatedType",
    "Role",
    "SharingRule",
    "Stage",
    "StageCategory",
    "Task",
    "TaskPriority",
    "TaskStatus",
    "User",
]
