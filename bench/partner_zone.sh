# Shared by partners.sh and health_change.sh: the policy of partner zone I
# of a white-label platform, whose media servers, ports, regions (and health
# checks) come from ../shared/platform.yaml; SERIAL as given (auto, or 1).
partner_zone() { # I SERIAL
  cat <<Y
zone: partner$1.example
soa: { primary: ns1.partner$1.example, contact: hostmaster.partner$1.example, serial: $2 }
nameservers: { ns1: [127.0.0.1] }
include: ../shared/platform.yaml
proxies:
  proxy-a: { targets: [ms1, ms2, ms3, ms4] }
  proxy-b: { targets: [ms4, ms3, ms2, ms1] }
  sip:
    transports: [udp, tcp, tls]
    targets:
      east:    [ms1, ms2, {ms3: 50, ms4: 50}]
      west:    [ms3, ms4, ms1]
      central: [{ms4: 70, ms2: 30}, ms1]
Y
}
