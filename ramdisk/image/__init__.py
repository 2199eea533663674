"""Build a bootable kernel + initramfs for the agent from Debian packages.

Runs on the build host (root, mmdebstrap), never inside the image: ``spec`` says what
goes in, ``debian`` makes the cached base (root file system and kernel modules),
``layer`` the small agent layer, ``archive`` the cpio archives and ``build`` puts
them together atomically. Linux unpacks concatenated compressed cpio archives in
order, so the initramfs is the cached base archive followed by the agent layer: a
rebuild after an agent change only packs the layer.
"""
