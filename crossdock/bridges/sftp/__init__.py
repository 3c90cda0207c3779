"""3PL files over SFTP (paramiko): partner profiles, pinned host keys, one reconnecting session,
atomic uploads, and an inbound poller that stores and enqueues before it moves a remote file.

Nothing here imports the store or the broker: inbound files go to an :class:`InboundSink`.
"""

from crossdock.bridges.sftp.errors import (
    HostKeyMismatchError,
    RemoteFileError,
    RemoteFileExistsError,
    SftpAuthError,
    UnsafeRemoteNameError,
    sftp_errors,
)
from crossdock.bridges.sftp.inbound import RemoteEntry, StabilityTracker, identify
from crossdock.bridges.sftp.names import render_name, safe_name
from crossdock.bridges.sftp.poller import InboundPoller, PollReport
from crossdock.bridges.sftp.profile import PartnerProfile, load_profile, profile_from_dict
from crossdock.bridges.sftp.session import SftpSession
from crossdock.bridges.sftp.sink import InboundFile, InboundSink, IsaKey, MailboxLock, MemorySink
from crossdock.bridges.sftp.upload import Uploaded, same_content, upload, upload_document

__all__ = [
    # profile and connection
    "PartnerProfile",
    "load_profile",
    "profile_from_dict",
    "SftpSession",
    # outbound
    "upload",
    "upload_document",
    "same_content",
    "Uploaded",
    "render_name",
    "safe_name",
    # inbound
    "InboundPoller",
    "PollReport",
    "InboundSink",
    "MailboxLock",
    "InboundFile",
    "IsaKey",
    "MemorySink",
    "StabilityTracker",
    "RemoteEntry",
    "identify",
    # errors
    "HostKeyMismatchError",
    "SftpAuthError",
    "UnsafeRemoteNameError",
    "RemoteFileExistsError",
    "RemoteFileError",
    "sftp_errors",
]
