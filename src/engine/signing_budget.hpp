#pragma once
// What may still be signed for queries: a compact denial or a wildcard's
// proof is signed per query (dnssec::DenialSigner), tens of microseconds
// each, the one costly step of answering. The engine asks before each; the
// network layer decides how much a client, and everyone together, may have
// (query/signing_budget.hpp). No budget: no limit (tests, explain).
namespace srvd::engine {

class SigningBudget {
  public:
    // Whether one more query's signatures may be made now; counts it.
    virtual bool take() noexcept = 0;

  protected:
    ~SigningBudget() = default;
};

} // namespace srvd::engine
