"""A private, read-only root for a worker: a tmpfs with ro binds of what the runtime needs,
entered with ``pivot_root`` (the caller has unshared a mount namespace and is root).

Inside: ``/usr`` (and the ``/bin``, ``/lib*``, ``/sbin`` links or binds), extra ro binds (the
interpreter's prefix, the runtime's folder), a few ``/etc`` files, ``/dev/{null,zero,full,
random,urandom}``, a sized ``/tmp`` and ``/dev/shm``, ``/proc`` (hidepid) and rw binds (the
package cache, the worker's cgroup). Nothing else of the host exists there: other functions'
files, the platform's config and databases are not hidden but absent (ENOENT).
"""
import os

from . import syscalls as sc

TOP_LEVEL = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
ETC_FILES = ("hosts", "resolv.conf", "nsswitch.conf", "host.conf", "gai.conf", "localtime",
             "ssl/certs", "ssl/openssl.cnf", "ca-certificates")
DEVICES = ("null", "zero", "full", "random", "urandom")
DEV_LINKS = {"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1",
             "stderr": "/proc/self/fd/2"}
_RO = sc.MS_RDONLY | sc.MS_NOSUID | sc.MS_NODEV
_HOST = "/"


def enter(new_root, ro_binds=(), rw_binds=(), tmp_size="64m", shm_size="16m"):
    """Build the root at ``new_root`` (an empty directory) and pivot into it.

    ``ro_binds`` / ``rw_binds``: ``[(host path, path inside)]``; missing host paths are skipped.
    """
    sc.mount(None, "/", None, sc.MS_REC | sc.MS_PRIVATE)
    sc.mount("tmpfs", new_root, "tmpfs", sc.MS_NOSUID | sc.MS_NODEV, "size=1m,mode=755")
    _bind(new_root, "/usr", "/usr", read_only=True)
    for name in TOP_LEVEL:
        _mirror_top_level(new_root, name)
    for source, target in ro_binds:
        _bind(new_root, source, target, read_only=True)
    for name in ETC_FILES:
        _bind(new_root, "/etc/" + name, "/etc/" + name, read_only=True)
    _make_dev(new_root, shm_size)
    _tmpfs(new_root, "/tmp", f"size={tmp_size},mode=1777")
    for source, target in rw_binds:
        _bind(new_root, source, target, read_only=False)
    _mkdir(new_root, "/proc")
    sc.mount("proc", _inside(new_root, "/proc"), "proc",
             sc.MS_NOSUID | sc.MS_NODEV | sc.MS_NOEXEC, "hidepid=invisible")
    _pivot(new_root)


def _pivot(new_root):
    old = _inside(new_root, "/.oldroot")
    os.mkdir(old)
    sc.pivot_root(new_root, old)
    os.chdir("/")
    sc.umount2("/.oldroot", sc.MNT_DETACH)
    os.rmdir("/.oldroot")
    sc.mount(None, "/", None, sc.MS_REMOUNT | sc.MS_BIND | _RO)


def _inside(new_root, path):
    return os.path.join(new_root, path.lstrip("/"))


def _mkdir(new_root, path, mode=0o755):
    os.makedirs(_inside(new_root, path), mode=mode, exist_ok=True)


def _mirror_top_level(new_root, name):
    host = os.path.join(_HOST, name)
    if os.path.islink(host):
        os.symlink(os.readlink(host), _inside(new_root, name))
    elif os.path.isdir(host):
        _bind(new_root, host, "/" + name, read_only=True)


def _bind(new_root, source, target, read_only):
    if not os.path.exists(source):
        return
    inside = _inside(new_root, target)
    if os.path.isdir(source):
        os.makedirs(inside, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(inside), exist_ok=True)
        open(inside, "a").close()
    sc.mount(source, inside, None, sc.MS_BIND | sc.MS_REC)
    flags = sc.MS_REMOUNT | sc.MS_BIND | sc.MS_NOSUID
    if read_only:
        sc.mount(None, inside, None, flags | sc.MS_RDONLY | sc.MS_NODEV)
    elif not source.startswith("/dev/"):
        sc.mount(None, inside, None, flags | sc.MS_NODEV)


def _make_dev(new_root, shm_size):
    _tmpfs(new_root, "/dev", "size=64k,mode=755", nodev=False)
    for name in DEVICES:
        _bind(new_root, "/dev/" + name, "/dev/" + name, read_only=False)
    for name, target in DEV_LINKS.items():
        os.symlink(target, _inside(new_root, "/dev/" + name))
    _tmpfs(new_root, "/dev/shm", f"size={shm_size},mode=1777")


def _tmpfs(new_root, path, options, nodev=True):
    _mkdir(new_root, path)
    flags = sc.MS_NOSUID | (sc.MS_NODEV if nodev else 0)
    sc.mount("tmpfs", _inside(new_root, path), "tmpfs", flags, options)
