"""Inbox, quarantine and outbox for MedCom messages.

Every received message is stored as raw bytes *before* anything else happens to it. Processing then claims
the row with a conditional update, validates and applies it in one transaction, and records the outcome on the
same row. The quarantine is the set of inbox rows that were rejected or could not be applied. Outbound
messages (acknowledgements, correspondence) are rows in the outbox that a worker claims and delivers.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class InboxStatus(models.TextChoices):
    RECEIVED = "received", _("Received, not processed yet")
    QUEUED = "queued", _("Waiting for an earlier message")
    ACCEPTED = "accepted", _("Accepted and applied")
    DUPLICATE = "duplicate", _("Duplicate")
    REJECTED = "rejected", _("Rejected: invalid message")
    UNAPPLICABLE = "unapplicable", _("Valid, but could not be applied")


QUARANTINE_STATUSES = (InboxStatus.REJECTED, InboxStatus.UNAPPLICABLE)


class MessageKind(models.TextChoices):
    HOSPITAL_NOTIFICATION = "hospital_notification", _("Hospital notification")
    CARE_COMMUNICATION = "care_communication", _("Correspondence message")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")
    UNKNOWN = "unknown", _("Unknown")


class InboxMessage(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    transport = models.CharField(_("transport"), max_length=20)
    sender_label = models.CharField(_("delivered by"), max_length=300, blank=True)
    raw = models.BinaryField(_("raw message"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    content_type = models.CharField(_("format"), max_length=10, blank=True)
    message_id = models.CharField(_("message id"), max_length=100, blank=True, db_index=True)
    envelope_id = models.CharField(_("envelope id"), max_length=100, blank=True)
    kind = models.CharField(
        _("kind"), max_length=30, choices=MessageKind.choices, default=MessageKind.UNKNOWN
    )
    event_code = models.CharField(_("event code"), max_length=40, blank=True)
    sender_gln = models.CharField(_("sender location number"), max_length=20, blank=True)
    receiver_gln = models.CharField(_("receiver location number"), max_length=20, blank=True)
    sender_unit = models.ForeignKey(
        "organisations.OrganisationUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    receiver_unit = models.ForeignKey(
        "organisations.OrganisationUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    citizen = models.ForeignKey(
        "citizens.Citizen", on_delete=models.PROTECT, null=True, blank=True, related_name="inbox_messages"
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.PROTECT, null=True, blank=True, related_name="inbox_messages"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=InboxStatus.choices, default=InboxStatus.RECEIVED, db_index=True
    )
    reason = models.TextField(_("reason"), blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    effect = models.JSONField(_("effect on the course"), default=dict, blank=True)
    summary = models.JSONField(_("readable content"), default=dict, blank=True)
    waiting_for = models.CharField(_("waiting for message"), max_length=100, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    claimed_by = models.CharField(_("claimed by"), max_length=100, blank=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # What identifies a delivery (the sender and its MessageHeader id), held by the first copy processed only;
    # every later copy is kept as a duplicate pointing at it. Unique in the database: two workers processing
    # copies of one message at the same moment cannot both apply it.
    delivery_key = models.CharField(_("delivery"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("received message")
        verbose_name_plural = _("received messages")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery_key"],
                condition=~models.Q(delivery_key=""),
                name="inbox_one_first_copy_per_delivery",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id or self.public_id} ({self.status})"

    @property
    def in_quarantine(self) -> bool:
        return self.status in QUARANTINE_STATUSES


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed permanently")


class OutboxMessage(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    message_id = models.CharField(_("message id"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=MessageKind.choices)
    event_code = models.CharField(_("event code"), max_length=40, blank=True)
    content = models.TextField(_("message"))
    content_type = models.CharField(_("format"), max_length=10, default="json")
    sender_unit = models.ForeignKey(
        "organisations.OrganisationUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    receiver_gln = models.CharField(_("receiver location number"), max_length=20, blank=True)
    receiver_label = models.CharField(_("receiver"), max_length=300, blank=True)
    receiver_unit = models.ForeignKey(
        "organisations.OrganisationUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    citizen = models.ForeignKey(
        "citizens.Citizen", on_delete=models.PROTECT, null=True, blank=True, related_name="outbox_messages"
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.PROTECT, null=True, blank=True, related_name="outbox_messages"
    )
    in_reply_to = models.ForeignKey(
        InboxMessage, on_delete=models.PROTECT, null=True, blank=True, related_name="replies"
    )
    summary = models.JSONField(_("readable content"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OutboxStatus.choices, default=OutboxStatus.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True, db_index=True)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=100, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    ack_code = models.CharField(_("acknowledgement"), max_length=20, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id} ({self.status})"


# Received messages a person reads: letters (CareCommunication). Notifications update the worklist by themselves
# and acknowledgements are technical, so they are never "unread".
READABLE_KINDS = (MessageKind.CARE_COMMUNICATION,)


class MessageRead(models.Model):
    """A received message read by its addressee: unread for the organisation it was sent to until somebody of
    that organisation opens it. One row per message and organisation; the first reader is kept."""

    message = models.ForeignKey(InboxMessage, on_delete=models.CASCADE, related_name="reads")
    organisation = models.ForeignKey(
        "organisations.OrganisationUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    read_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("read by"),
    )
    read_at = models.DateTimeField(_("read"), auto_now_add=True)

    class Meta:
        verbose_name = _("message read")
        verbose_name_plural = _("messages read")
        constraints = [
            models.UniqueConstraint(
                fields=["message", "organisation"], name="message_read_once_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.message_id} read by {self.organisation_id}"
