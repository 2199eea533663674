# shellcheck shell=bash
# Stand-ins of the devstack functions the ironic-tripleo plugin calls. Each records its
# call as one line of tab-separated words in $STANDIN_CALLS. iniset/iniget work on real
# INI files (through $STANDIN_PYTHON's configparser) so the files can be loaded after.
# Needs: STANDIN_CALLS, STANDIN_PYTHON, ENABLED_SERVICES.

_record() {
    local IFS=$'\t'
    printf '%s\n' "$*" >>"$STANDIN_CALLS"
}

define_plugin() { _record define_plugin "$@"; }
plugin_requires() { _record plugin_requires "$@"; }
enable_service() {
    _record enable_service "$@"
    local service
    for service in "$@"; do
        ENABLED_SERVICES+=",$service"
    done
}
is_service_enabled() {
    local service
    for service in "$@"; do
        [[ ",$ENABLED_SERVICES," == *",$service,"* ]] && return 0
    done
    return 1
}
echo_summary() { _record echo_summary "$@"; }
warn() { _record warn "$@"; }
die() {
    _record die "$@"
    exit 1
}
die_if_not_set() {
    local line=$1 name=$2
    shift 2
    [[ -n "${!name}" ]] || die "$line" "$@"
}
get_python_exec_prefix() { echo "$STANDIN_BIN"; }
setup_develop() { _record setup_develop "$@"; }
pip_install() { _record pip_install "$@"; }
install_package() { _record install_package "$@"; }
run_process() { _record run_process "$@"; }
stop_process() { _record stop_process "$@"; }
restart_service() { _record restart_service "$@"; }
recreate_database() { _record recreate_database "$@"; }
database_connection_url() { echo "sqlite:///$STANDIN_DB_DIR/$1.sqlite"; }
create_service_user() { _record create_service_user "$@"; }
get_or_create_service() {
    _record get_or_create_service "$@"
    echo "service-$2"
}
get_or_create_endpoint() {
    _record get_or_create_endpoint "$@"
    echo "endpoint-$1"
}
configure_keystone_authtoken_middleware() {
    _record configure_keystone_authtoken_middleware "$@"
}
mysql() { _record mysql "$@"; }
psql() { _record psql "$@"; }
# sudo runs the command as this user: every path the plugin gets in the test is ours.
sudo() {
    _record sudo "$@"
    "$@"
}
# `openstack image create NAME ...` prints the id "image-NAME".
openstack() {
    _record openstack "$@"
    local arg previous=""
    for arg in "$@"; do
        if [[ "$previous" == create ]]; then
            echo "image-$arg"
            return 0
        fi
        previous=$arg
    done
}
iniset() {
    _record iniset "$@"
    "$STANDIN_PYTHON" - "$@" <<'PY'
import configparser, sys
path, section, key, value = sys.argv[1:5]
ini = configparser.ConfigParser(interpolation=None)
ini.optionxform = str
ini.read(path)
if section != "DEFAULT" and not ini.has_section(section):
    ini.add_section(section)
ini.set(section, key, value)
with open(path, "w") as f:
    ini.write(f)
PY
}
iniget() {
    "$STANDIN_PYTHON" - "$@" <<'PY'
import configparser, sys
path, section, key = sys.argv[1:4]
ini = configparser.ConfigParser(interpolation=None)
ini.optionxform = str
ini.read(path)
print(ini.get(section, key, fallback=""))
PY
}
