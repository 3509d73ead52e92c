// Rendering of mxtls-send's delivery report: the --explain trail (each step with its
// requirement IDs, each decision verbatim, DNS-14), --json, and the one-line summary.
// DNS-04: "protected against MX rewriting" is said only of a secure MX RRset.
#include "mxtls/client/report.hpp"

#include <boost/json.hpp>

namespace mxtls::client {

namespace json = boost::json;

std::string_view to_string(outcome o) noexcept {
  switch (o) {
    case outcome::delivered: return "delivered";
    case outcome::deferred: return "deferred";
    case outcome::bounced: return "bounced";
  }
  return "?";
}

int exit_code(outcome o) noexcept {
  switch (o) {
    case outcome::delivered: return 0;
    case outcome::deferred: return 75;  // EX_TEMPFAIL
    case outcome::bounced: return 69;   // EX_UNAVAILABLE
  }
  return 75;
}

outcome worst(outcome a, outcome b) noexcept {
  auto rank = [](outcome o) { return o == outcome::deferred ? 2 : o == outcome::bounced ? 1 : 0; };
  return rank(a) >= rank(b) ? a : b;
}

std::string_view to_string(attempt_status s) noexcept {
  switch (s) {
    case attempt_status::delivered: return "delivered";
    case attempt_status::permanent_failure: return "permanent-failure";
    case attempt_status::transient_failure: return "transient-failure";
    case attempt_status::unreachable: return "unreachable";
    case attempt_status::requirement_failed: return "requirement-failed";
    case attempt_status::fell_back: return "fell-back";
    case attempt_status::skipped: return "skipped";
    case attempt_status::message_deferred: return "message-deferred";
  }
  return "?";
}

namespace {

std::string ids_text(std::vector<std::string> const& ids) {
  std::string s;
  for (auto const& id : ids) s += (s.empty() ? "" : ",") + id;
  return s.empty() ? "" : "[" + s + "] ";
}

json::array ids_json(std::vector<std::string> const& ids) {
  json::array a;
  for (auto const& id : ids) a.emplace_back(id);
  return a;
}

json::value tls_json(std::optional<tls_facts> const& t) {
  if (!t) return nullptr;
  return json::object{{"implicit", t->implicit},   {"established", t->established}, {"version", t->version},
                      {"cipher", t->cipher},       {"sni", t->sni},                 {"pkix", t->pkix_ok},
                      {"pkix_reason", t->pkix_reason}, {"dane", t->dane},           {"dane_reason", t->dane_reason},
                      {"verified", t->verified},   {"failure", t->failure}};
}

json::object decision_json(spec::policy::decision const& d) {
  json::array ids;
  for (auto id : d.ids) ids.emplace_back(std::string(id));
  return json::object{{"action", std::string(spec::policy::to_string(d.act))},
                      {"tls", std::string(spec::policy::to_string(d.tls))},
                      {"pkix", d.pkix},
                      {"dane", d.dane},
                      {"report", d.report},
                      {"mx_authentic", d.mx_authentic},
                      {"reason", d.reason},
                      {"ids", std::move(ids)},
                      {"text", spec::policy::format(d)}};
}

json::object inputs_json(spec::policy::inputs const& in) {
  return json::object{{"prefix", std::string(spec::prefix::to_string(in.prefix))},
                      {"pin", std::string(spec::policy::to_string(in.pin))},
                      {"mx_dnssec", std::string(spec::policy::to_string(in.mx_dnssec))},
                      {"sts", std::string(spec::policy::to_string(in.sts))},
                      {"sts_match", in.sts_match},
                      {"dane", std::string(spec::policy::to_string(in.dane))}};
}

std::string tls_summary(std::optional<tls_facts> const& t) {
  if (!t || !t->established) return "in plaintext";
  std::string s = std::string(t->implicit ? "over implicit TLS" : "over STARTTLS") + " (" + t->version + ")";
  if (t->dane == "authenticated") s += ", DANE-authenticated";
  if (t->pkix_ok) s += ", PKIX-verified";
  if (!t->verified) s += ", certificate not verified";
  return s;
}

}  // namespace

std::string render_explain(delivery_report const& r) {
  std::string out;
  for (auto const& d : r.domains) {
    out += "domain " + d.domain + "\n";
    for (auto const& s : d.trail) out += "  " + s.step + ": " + ids_text(s.ids) + s.text + "\n";
    for (auto const& rc : d.recipients)
      out += "  recipient " + rc.address + ": " + std::string(to_string(rc.result)) + " (" + rc.reply + ")\n";
    out += "  => " + std::string(to_string(d.result)) + ": " + d.reason + "\n";
  }
  for (auto const& w : r.warnings) out += "warning: " + w + "\n";
  out += "outcome: " + std::string(to_string(r.result)) + "\n";
  return out;
}

std::string render_json(delivery_report const& r) {
  json::array domains;
  for (auto const& d : r.domains) {
    json::array attempts;
    for (auto const& a : d.attempts) {
      attempts.push_back(json::object{{"host", a.host},
                                      {"address", a.address},
                                      {"service_port", a.service_port},
                                      {"port", a.port},
                                      {"mode", a.mode},
                                      {"inputs", inputs_json(a.inputs)},
                                      {"decision", decision_json(a.decision)},
                                      {"exempt", a.exempt},
                                      {"status", std::string(to_string(a.status))},
                                      {"reason", a.reason},
                                      {"ids", ids_json(a.ids)},
                                      {"tls", tls_json(a.tls)},
                                      {"mail_from_sent", a.mail_from_sent},
                                      {"plaintext_mail", a.plaintext_mail},
                                      {"last_reply", a.last_reply}});
    }
    json::array recipients;
    for (auto const& rc : d.recipients)
      recipients.push_back(
          json::object{{"address", rc.address}, {"outcome", std::string(to_string(rc.result))}, {"reply", rc.reply}});
    json::array trail;
    for (auto const& s : d.trail)
      trail.push_back(json::object{{"step", s.step}, {"text", s.text}, {"ids", ids_json(s.ids)}});
    domains.push_back(json::object{{"domain", d.domain},
                                   {"outcome", std::string(to_string(d.result))},
                                   {"reason", d.reason},
                                   {"ids", ids_json(d.ids)},
                                   {"host", d.host},
                                   {"mx_authentic", d.mx_authentic},
                                   {"tls", tls_json(d.tls)},
                                   {"recipients", std::move(recipients)},
                                   {"attempts", std::move(attempts)},
                                   {"trail", std::move(trail)}});
  }
  json::array warnings;
  for (auto const& w : r.warnings) warnings.emplace_back(w);
  json::object root{{"outcome", std::string(to_string(r.result))},
                    {"domains", std::move(domains)},
                    {"warnings", std::move(warnings)}};
  return json::serialize(root) + "\n";
}

std::string render_summary(delivery_report const& r) {
  std::string out;
  for (auto const& d : r.domains) {
    out += d.domain + ": " + std::string(to_string(d.result));
    if (d.result == outcome::delivered) {
      out += " to " + d.host + " " + tls_summary(d.tls);
      // [DNS-04] only a secure MX RRset protects against MX rewriting.
      if (!d.mx_authentic) out += "; MX RRset not DNSSEC-secure";
    } else {
      out += ": " + d.reason;
    }
    out += "\n";
  }
  for (auto const& w : r.warnings) out += "warning: " + w + "\n";
  return out;
}

}  // namespace mxtls::client
