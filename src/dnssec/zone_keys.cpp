#include "dnssec/zone_keys.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace srvd::dnssec {
namespace {

using config::LoadError;

struct FileCloser {
    void operator()(FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;

std::string base_of(const std::string& path) {
    for (const char* suffix : {".key", ".private"}) {
        const std::size_t n = std::strlen(suffix);
        if (path.size() > n && path.compare(path.size() - n, n, suffix) == 0)
            return path.substr(0, path.size() - n);
    }
    return path;
}

// The mnemonic ldns knows an algorithm by ("RSASHA256"), for messages.
std::string algorithm_name(unsigned algorithm) {
    const ldns_lookup_table* known =
        ldns_lookup_by_id(ldns_algorithms, static_cast<int>(algorithm));
    return known ? known->name : "unknown";
}

// The DNSKEY of the .key file: the first record, after any comment lines
// (dnssec-keygen writes some).
dns::RrPtr read_public(const std::string& file, const KeyFile& entry) {
    FilePtr f(std::fopen(file.c_str(), "r"));
    if (!f) throw LoadError(entry.mark, "key " + file + ": cannot open: " + std::strerror(errno));
    for (;;) {
        ldns_rr* rr = nullptr;
        std::uint32_t ttl = 3600;
        const ldns_status s = ldns_rr_new_frm_fp(&rr, f.get(), &ttl, nullptr, nullptr);
        if (s == LDNS_STATUS_OK) {
            dns::RrPtr out(rr);
            if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_DNSKEY || ldns_rr_rd_count(rr) != 4)
                throw LoadError(entry.mark, "key " + file + ": expected a DNSKEY record, found " +
                                                dns::rr_to_text(rr));
            return out;
        }
        if (s == LDNS_STATUS_SYNTAX_EMPTY || s == LDNS_STATUS_SYNTAX_TTL ||
            s == LDNS_STATUS_SYNTAX_ORIGIN)
            continue;
        throw LoadError(entry.mark, "key " + file + ": " +
                                        (std::feof(f.get()) ? std::string("no DNSKEY record in it")
                                                            : ldns_get_errorstr_by_id(s)));
    }
}

ZoneKey read_key(const ldns_rdf* apex, const std::string& apex_text, const KeyFile& entry) {
    const std::string base = base_of(entry.path);
    const std::string public_file = base + ".key", private_file = base + ".private";
    if (!std::filesystem::exists(public_file) && std::filesystem::exists(private_file))
        throw LoadError(entry.mark, "key " + private_file + " has no public half: " + public_file +
                                        " is missing");
    ZoneKey k;
    k.file = base;
    k.dnskey = read_public(public_file, entry);
    const ldns_rr* dnskey = k.dnskey.get();
    if (ldns_dname_compare(ldns_rr_owner(dnskey), apex) != 0)
        throw LoadError(entry.mark, "key " + public_file + " is for zone " +
                                        dns::rdf_to_text(ldns_rr_owner(dnskey)) + ", not " +
                                        apex_text);
    k.flags = ldns_rdf2native_int16(ldns_rr_rdf(dnskey, 0));
    k.algorithm = ldns_rdf2native_int8(ldns_rr_rdf(dnskey, 2));
    k.tag = ldns_calc_keytag(dnskey);
    if (k.algorithm != ecdsap256sha256 && k.algorithm != ed25519)
        throw LoadError(entry.mark, "key " + public_file + ": algorithm " +
                                        std::to_string(k.algorithm) + " (" +
                                        algorithm_name(k.algorithm) +
                                        ") is not supported: use 13 (ECDSAP256SHA256) or 15 "
                                        "(ED25519), e.g. ldns-keygen -a ED25519");
    if (k.flags != zone_key_flags && k.flags != sep_key_flags)
        throw LoadError(entry.mark, "key " + public_file + ": flags " + std::to_string(k.flags) +
                                        ": a zone key has 256 (ZSK) or 257 (KSK or CSK)");
    FilePtr private_fp(std::fopen(private_file.c_str(), "r"));
    if (!private_fp)
        throw LoadError(entry.mark,
                        "key " + private_file + ": cannot open: " + std::strerror(errno));
    ldns_key* key = nullptr;
    int line = 0;
    if (ldns_key_new_frm_fp_l(&key, private_fp.get(), &line) != LDNS_STATUS_OK)
        throw LoadError(entry.mark, "key " + private_file + ":" + std::to_string(line) +
                                        ": not a private key ldns can read");
    k.key.reset(key);
    k.timing = read_key_timing(private_file);
    ldns_key_set_pubkey_owner(key, ldns_rdf_clone(apex));
    ldns_key_set_flags(key, k.flags);
    ldns_key_set_keytag(key, k.tag); // ldns computed it with the default flags (256)
    // The two halves must belong together: the public key derived from the
    // private one is the DNSKEY's.
    dns::RrPtr derived(ldns_key2rr(key));
    if (!derived || ldns_rdf_compare(ldns_rr_rdf(derived.get(), 3), ldns_rr_rdf(dnskey, 3)) != 0 ||
        ldns_rdf2native_int8(ldns_rr_rdf(derived.get(), 2)) != k.algorithm)
        throw LoadError(entry.mark, "key " + private_file +
                                        " does not belong to the public key in " + public_file);
    return k;
}

// The same key under another entry: same algorithm and public key.
void check_unique(const std::vector<ZoneKey>& keys, const std::vector<KeyFile>& files) {
    for (std::size_t i = 1; i < keys.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (keys[i].algorithm == keys[j].algorithm &&
                ldns_rdf_compare(ldns_rr_rdf(keys[i].dnskey.get(), 3),
                                 ldns_rr_rdf(keys[j].dnskey.get(), 3)) == 0)
                throw LoadError(files[i].mark,
                                "key " + keys[i].file + " (tag " + std::to_string(keys[i].tag) +
                                    ") is already listed at line " +
                                    std::to_string(files[j].mark.line) +
                                    ": a key listed twice would publish its DNSKEY and CDS "
                                    "twice and make the zone bogus; list it once");
}

} // namespace

ZoneKeys load_zone_keys(const std::string& apex_text, const std::vector<KeyFile>& files,
                        const config::SourceMark& keys_mark) {
    dns::RdfPtr apex(ldns_dname_new_frm_str(apex_text.c_str()));
    if (!apex) throw LoadError(keys_mark, "zone " + apex_text + ": not a domain name");
    ZoneKeys out;
    config::ErrorList errors;
    for (const KeyFile& entry : files)
        errors.attempt([&] { out.keys.push_back(read_key(apex.get(), apex_text, entry)); });
    errors.throw_if_any();
    check_unique(out.keys, files);
    if (std::none_of(out.keys.begin(), out.keys.end(),
                     [](const ZoneKey& k) { return k.flags == sep_key_flags; }))
        throw LoadError(keys_mark, "zone " + apex_text +
                                       " has no key with flags 257 (a KSK or CSK) to sign its "
                                       "DNSKEY set and give the parent as DS: make one with "
                                       "ldns-keygen -k");
    return out;
}

dns::RrPtr published_dnskey(const ZoneKey& key, std::uint32_t ttl) {
    dns::RrPtr rr(ldns_rr_clone(key.dnskey.get()));
    ldns_rr_set_ttl(rr.get(), ttl);
    return rr;
}

dns::RrPtr ds_record(const ZoneKey& key, std::uint32_t ttl) {
    return dns::RrPtr(ldns_key_rr2ds(published_dnskey(key, ttl).get(), LDNS_SHA256));
}

} // namespace srvd::dnssec
