"""Deploy mode of the ramdisk agent: lookup/heartbeat with Ironic and an iSCSI export.

The conductor's ``iscsi`` deploy interface drives it through the small command API
(``command_api``); the agent exports the chosen root disk with tgtd
(``iscsi_target``) and the conductor writes the image over iSCSI.
"""
