"""Temporary files and folders named after the process that owns them, and the removal of
those whose owner is dead.

A run that is killed (SIGKILL, a power cut) cannot remove its temporary files, and those may
hold copies of sensitive inputs. So every temporary name carries an *owner tag*,
``PID@HOST`` (:func:`owner_tag`), written into the name when the file or folder is created
(no window in which it exists unowned); the next run into the same place removes what a dead
owner left (:func:`remove_orphans`). A name is removed only when its owner is known to be
dead: a process of this host that no longer exists (or is a zombie). A live owner, another
host's owner (a shared file system), an unreadable tag or a platform where liveness cannot be
checked safely leave the name alone. A reused process id only delays the removal until that
process ends.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import socket
from pathlib import Path

__all__ = ["owner_alive", "owner_tag", "remove_orphans"]

_TAG = re.compile(r"(?P<pid>\d+)@(?P<host>[A-Za-z0-9_-]*)")


def _host() -> str:
    """This host, as 12 hex digits of the sha256 of its full name and machine id (so that
    two hosts sharing a file system, or containers sharing a name, never take each other's
    runs for their own)."""
    parts = [socket.gethostname()]
    for path in ("/etc/machine-id", "/proc/sys/kernel/random/boot_id"):
        try:
            parts.append(Path(path).read_text(encoding="ascii").strip())
            break
        except OSError:
            continue
    with contextlib.suppress(OSError):  # pid namespace: containers on one host differ
        parts.append(str(os.stat("/proc/self/ns/pid").st_ino))
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:12]


def owner_tag() -> str:
    """``PID@HOST`` of this process, for temporary names.

    Examples
    --------
    >>> owner_tag().split("@")[0] == str(os.getpid())
    True
    """
    return f"{os.getpid()}@{_host()}"


def owner_alive(tag: str) -> bool:
    """Whether the owner named by ``tag`` may still be running (True when unsure).

    Examples
    --------
    >>> owner_alive(owner_tag())
    True
    >>> owner_alive("not a tag")
    True
    """
    match = _TAG.fullmatch(tag)
    if match is None or match["host"] != _host():
        return True
    pid = int(match["pid"])
    if pid <= 0 or pid == os.getpid():
        return True
    if os.name != "posix":  # os.kill would end the process there, not probe it
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    try:  # a zombie has ended; only its parent has not yet collected its exit status
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True
    fields = stat.rpartition(")")[2].split()
    return not fields or fields[0] != "Z"


def remove_orphans(directory: str | os.PathLike, prefix: str, suffix: str = "") -> list[Path]:
    """Remove the files and folders of ``directory`` named ``PREFIX + TAG + "." + ... +
    SUFFIX`` whose owner (``TAG``, see :func:`owner_tag`) is dead; the paths removed.

    A missing or unreadable directory, names without a tag and anything that cannot be
    removed are left alone: this never fails.

    Examples
    --------
    >>> import tempfile
    >>> where = Path(tempfile.mkdtemp())
    >>> _ = (where / ".x.999999999@nowhere.abc.tmp").write_text("")  # another host's
    >>> _ = (where / f".x.{owner_tag()}.abc.tmp").write_text("")  # this process's
    >>> remove_orphans(where, ".x.", ".tmp")
    []
    """
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    removed = []
    for name in names:
        if not (name.startswith(prefix) and name.endswith(suffix)):
            continue
        tag = name[len(prefix) :].split(".", 1)[0]
        if _TAG.fullmatch(tag) is None or owner_alive(tag):
            continue
        path = Path(directory) / name
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed
