#!/bin/bash
# shellcheck shell=bash
# devstack plugin of ironic-tripleo: our hardware type and interfaces in devstack's
# Ironic, discoverd as a devstack service, and our ramdisk as Ironic's deploy ramdisk.
# Contract: https://docs.openstack.org/devstack/latest/plugins.html

# shellcheck source=devstack/lib/ironic-tripleo
source "$IRONIC_TRIPLEO_DIR/devstack/lib/ironic-tripleo"

if is_service_enabled ironic-tripleo; then
    if [[ "$1" == "stack" ]]; then
        case "$2" in
            install)
                echo_summary "Installing ironic-tripleo"
                install_ironic_tripleo
                ;;
            post-config)
                echo_summary "Configuring Ironic for ironic-tripleo"
                configure_ironic_tripleo
                if is_service_enabled discoverd; then
                    echo_summary "Configuring discoverd"
                    configure_discoverd
                    if is_service_enabled key; then
                        create_discoverd_accounts
                    fi
                fi
                ;;
            extra)
                if is_service_enabled discoverd; then
                    echo_summary "Starting discoverd"
                    init_discoverd
                    start_discoverd
                fi
                if [[ "$IRONIC_TRIPLEO_RAMDISK" == "True" ]] && is_service_enabled glance; then
                    echo_summary "Building and registering the ironic-tripleo ramdisk"
                    build_ironic_tripleo_ramdisk
                    register_ironic_tripleo_ramdisk
                fi
                ;;
        esac
    fi

    if [[ "$1" == "unstack" ]]; then
        stop_discoverd
    fi

    if [[ "$1" == "clean" ]]; then
        cleanup_ironic_tripleo
    fi
fi
