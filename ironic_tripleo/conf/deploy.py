"""Options of the ``iscsi`` deploy interface (``[tripleo_deploy]``).

Library code under ``ironic_tripleo.deploy`` takes these values as plain arguments;
only the deploy interface reads them from CONF.
"""

from oslo_config import cfg

GROUP = "tripleo_deploy"

opts = [
    cfg.StrOpt(
        "image_cache_dir", default="/var/lib/ironic/tripleo_image_cache",
        help="Directory of the image cache shared by concurrent deploys (and by several "
             "conductor processes on one host). Images are stored by checksum."),
    cfg.IntOpt(
        "image_cache_size_mb", default=20480, min=0,
        help="Size the image cache is trimmed to (least recently used images first) "
             "after each download. 0 keeps nothing that is not in use."),
    cfg.StrOpt(
        "writer", default="auto", choices=[
            ("auto", "kernel when the iscsi_tcp module is loaded and iscsiadm exists, "
                     "else userspace"),
            ("kernel", "open-iscsi (iscsiadm) login, write to the block device"),
            ("userspace", "qemu-img with libiscsi (iscsi://), CHAP secret in a file")],
        help="How the conductor writes images into the exported disk."),
    cfg.IntOpt(
        "max_concurrent_writes", default=4, min=1, max=64,
        help="Images written at once by one conductor process; further deploys wait "
             "for a slot (bounds memory, CPU and network use)."),
    cfg.FloatOpt(
        "write_slot_timeout", default=3600.0, min=1.0,
        help="Seconds a deploy waits for a write slot before failing."),
    cfg.FloatOpt(
        "write_timeout", default=7200.0, min=10.0,
        help="Seconds one image write (qemu-img convert) may take."),
    cfg.FloatOpt(
        "write_stall_timeout", default=300.0, min=1.0,
        help="Seconds an image write may go without progress (qemu-img reports each "
             "percent) before it is killed and the deploy fails: when the deploy "
             "ramdisk or its target dies mid-write, the userspace initiator would "
             "otherwise reconnect forever."),
    cfg.FloatOpt(
        "target_wait_timeout", default=60.0, min=1.0,
        help="Seconds to wait for the exported iSCSI target to answer (and, with the "
             "kernel writer, for its block device to appear)."),
    cfg.FloatOpt(
        "http_timeout", default=60.0, min=1.0,
        help="Seconds without data before an image download over HTTP(S) fails."),
    cfg.ListOpt(
        "permitted_image_formats", default=["raw", "qcow2"],
        help="Image formats accepted (from qemu-img info). Images with a backing file "
             "or an external data file are always refused."),
    cfg.BoolOpt(
        "allow_md5_checksum", default=False,
        help="Accept an md5 image_checksum when no image_os_hash_algo/value is given."),
    cfg.PortOpt(
        "iscsi_portal_port", default=3260,
        help="Port the deploy ramdisk's iSCSI target listens on."),
    cfg.FloatOpt(
        "agent_command_timeout", default=60.0, min=1.0,
        help="Seconds to wait for the deploy ramdisk's command API to answer."),
    cfg.StrOpt(
        "initiator_netns",
        help="Lab only (ironic_tripleo/lab_seam.py): honoured only when the conductor "
             "runs with IRONIC_TRIPLEO_LAB=1, which the lab sets; elsewhere it is "
             "ignored with a warning. Network namespace (an 'ip netns' name) the "
             "conductor's data plane starts from: the userspace writer runs 'ip netns "
             "exec NS qemu-img ...' and the deploy agent's command API is called over "
             "sockets created in NS. Unset (the default, and what a real conductor "
             "uses): the conductor's own namespace. The lab sets it to its 'conductor "
             "data-plane' namespace, which sits on the provisioning bridge with its own "
             "address, so no client in the host namespace ever connects to a node's "
             "address. Needs CAP_SYS_ADMIN; only the userspace writer honours it "
             "(writer=auto then means userspace)."),
    cfg.IntOpt(
        "qemu_img_memory_limit_mb", default=1024, min=128,
        help="Address-space limit of qemu-img info on an untrusted image."),
]


def register(conf: cfg.ConfigOpts) -> None:
    """Register this group's options on ``conf`` (idempotent)."""
    conf.register_opts(opts, group=GROUP)
