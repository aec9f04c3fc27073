"""Receivers: the capture receiver, its payload parsers, and Alertmanager config rendering."""

from harness.receivers.capture import CaptureReceiver, receiver_path
from harness.receivers.models import Notification

__all__ = ["CaptureReceiver", "Notification", "receiver_path"]
