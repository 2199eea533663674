#!/bin/bash
# devstack plugin: installs ironic-tripleo into devstack's Ironic and runs discoverd.

function install_ironic_tripleo {
    setup_develop "$IRONIC_TRIPLEO_DIR"
    sudo bash "$IRONIC_TRIPLEO_DIR/scripts/install-system-packages.sh"
}

# Append $2 to the comma-separated option $1 of [DEFAULT] in ironic.conf if absent.
function _ironic_tripleo_enable {
    local opt=$1 value=$2 current
    current=$(iniget "$IRONIC_CONF_FILE" DEFAULT "$opt")
    if [[ ",$current," != *",$value,"* ]]; then
        iniset "$IRONIC_CONF_FILE" DEFAULT "$opt" "${current:+$current,}$value"
    fi
}

function configure_ironic_tripleo {
    _ironic_tripleo_enable enabled_hardware_types "$IRONIC_TRIPLEO_HARDWARE_TYPE"
    _ironic_tripleo_enable enabled_power_interfaces "$IRONIC_TRIPLEO_POWER_INTERFACE"
    _ironic_tripleo_enable enabled_management_interfaces "$IRONIC_TRIPLEO_MANAGEMENT_INTERFACE"
    iniset "$IRONIC_CONF_FILE" tripleo_ipmi min_command_interval "$IRONIC_TRIPLEO_MIN_COMMAND_INTERVAL"
    iniset "$IRONIC_CONF_FILE" tripleo_ipmi max_concurrent_commands "$IRONIC_TRIPLEO_MAX_CONCURRENT_COMMANDS"
}

function configure_discoverd {
    sudo install -d -o "$STACK_USER" "$DISCOVERD_CONF_DIR"
    iniset "$DISCOVERD_CONF_FILE" DEFAULT listen_address "$SERVICE_LISTEN_ADDRESS"
    iniset "$DISCOVERD_CONF_FILE" DEFAULT listen_port "$DISCOVERD_PORT"
    iniset "$DISCOVERD_CONF_FILE" DEFAULT auth_strategy "$DISCOVERD_AUTH_STRATEGY"
    iniset "$DISCOVERD_CONF_FILE" database connection "$(database_connection_url discoverd)"
    # devstack writes clouds.yaml with an admin cloud that discoverd uses to reach Ironic.
    iniset "$DISCOVERD_CONF_FILE" ironic cloud devstack-admin
    recreate_database discoverd
}

if is_service_enabled ironic-tripleo; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing ironic-tripleo"
        install_ironic_tripleo
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring Ironic for ironic-tripleo"
        configure_ironic_tripleo
        if is_service_enabled discoverd; then
            configure_discoverd
        fi
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        if is_service_enabled discoverd; then
            echo_summary "Starting discoverd"
            run_process discoverd "$(which discoverd) --config-file $DISCOVERD_CONF_FILE"
        fi
    fi
    if [[ "$1" == "unstack" ]]; then
        stop_process discoverd
    fi
fi
