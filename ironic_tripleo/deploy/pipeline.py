"""One image deploy end to end on the conductor: fetch, verify, inspect, write.

The order is the safety argument: the cache publishes only verified images, qemu-img
info runs on the verified file, the size check uses the LUN's own size, and only then
is a byte written. Partition images are laid out locally first (``partition_image``)
and written as a whole disk.
"""

from __future__ import annotations

import dataclasses
import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ironic_tripleo.deploy import checksum, disk_ids, image_info, partition_image, writer
from ironic_tripleo.deploy.image_cache import ImageCache
from ironic_tripleo.deploy.image_source import ImageSource
from ironic_tripleo.deploy.target import Target

LOG = logging.getLogger(__name__)


@dataclasses.dataclass
class WriteOptions:
    """How to write (the ``[tripleo_deploy]`` options, as plain values)."""

    mode: str = "auto"
    permitted_formats: Sequence[str] = image_info.DEFAULT_PERMITTED
    target_timeout: float = 60.0
    write_timeout: float = 7200.0
    stall_timeout: float = 300.0
    slot_timeout: float = 3600.0
    memory_limit_mb: int = 1024
    work_dir: str | None = None


@dataclasses.dataclass(frozen=True)
class Written:
    """What ``deploy_image`` wrote: the image as written, and how Ironic can name it
    (``root_uuid_or_disk_id``: the MBR disk signature of a whole-disk image, the root
    file system UUID of a partition image; None when there is none)."""

    info: image_info.ImageInfo
    root_uuid_or_disk_id: str | None = None


def deploy_image(source: ImageSource, expected: checksum.Expected, target: Target,
                 cache: ImageCache, slots: writer.WriteSlots, options: WriteOptions,
                 node: str = "?", layout: partition_image.Layout | None = None,
                 configdrive: Path | None = None) -> Written:
    """Write ``source`` into ``target``; return what was written.

    :param layout: for a partition image: the partitions to create around it.
    :param configdrive: a config drive image for the layout's config drive partition.
    :raises DeployError: a subclass naming the cause (source, checksum, unsafe image,
        too large, target unavailable, write failed, no write slot).
    """
    with cache.image(source, expected) as path:
        info = image_info.inspect(path, options.memory_limit_mb, image=source.href)
        image_info.check_safe(info, source.href, options.permitted_formats)
        with slots.slot(options.slot_timeout):
            if layout is None:
                disk_id = disk_ids.disk_identifier(path, info.format)
                writer.write_image(path, info, target, source.href, options.mode, node,
                                   options.target_timeout, options.write_timeout,
                                   options.stall_timeout)
                return Written(info, disk_id)
            size = writer.wait_for_target(target, options.target_timeout)
            with tempfile.TemporaryDirectory(prefix="tripleo-disk-",
                                             dir=options.work_dir) as tmp:
                disk = Path(tmp) / "disk.raw"
                parts = partition_image.build(disk, size, layout, path, info, configdrive,
                                              node)
                root_uuid = disk_ids.filesystem_uuid(disk, parts[-1].start)
                if root_uuid is None:
                    LOG.warning("node %s: no file system found in partition image %s; "
                                "the node may not boot from it", node, source.href)
                disk_info = image_info.ImageInfo(format="raw", virtual_size=size)
                writer.write_image(disk, disk_info, target, source.href, options.mode,
                                   node, options.target_timeout, options.write_timeout,
                                   options.stall_timeout)
                return Written(disk_info, root_uuid)
