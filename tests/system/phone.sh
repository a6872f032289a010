# Shared by the system tests (lib.sh) and bench/failover.sh.
# phone_config DIR SIP_LISTEN DNS_SERVER: a baresip configuration for a phone
# that resolves through srvd, with audio that needs no sound card.
phone_config() {
  mkdir -p "$1"
  cat >"$1/config" <<CONF
sip_listen $2
dns_server $3
module_path /usr/lib/baresip/modules
module account.so
module g711.so
module ausine.so
module aufile.so
audio_player aufile,/dev/null
audio_source ausine,440
CONF
}
