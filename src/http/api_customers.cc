// Customers and organisations (docs/customers.md): list with search and
// cursor, read, create, change, remove, merge.
#include "http/api.h"

#include "http/api_helpers.h"
#include "json/customer_json.h"
#include "json/json_fields.h"

namespace sb::http {

using namespace detail;

namespace {

Directory& directory_of(intake::Intake& intake) {
  Directory* d = intake.directory();
  if (!d) throw Fail{Error::Unavailable("customer records are not kept by this server")};
  return *d;
}

// q, cursor (the previous page's last id), limit; organization_id for customers.
DirectoryQuery directory_query(const Request& r, bool customers) {
  DirectoryQuery q;
  q.text = text_query(r, "q").value_or("");
  q.after = int_query(r, "cursor", 0, INT64_MAX).value_or(0);
  q.limit = static_cast<int>(int_query(r, "limit", 1, 200).value_or(50));
  if (customers) {
    if (auto o = int_query(r, "organization_id", 1, INT64_MAX)) q.organization = OrganizationId{*o};
  }
  return q;
}

template <class T>
json page(const std::vector<T>& items, const char* key, int limit) {
  json list = json::array();
  for (const T& item : items) list.push_back(to_json(item));
  const bool full = static_cast<int>(items.size()) == limit;
  return json{{key, std::move(list)},
              {"next_cursor", full ? json(std::to_string(items.back().id.value)) : json(nullptr)}};
}

}  // namespace

// An account owner must be an agent.
void Api::check_account_owner(const Organization& o) {
  if (o.account_owner && !ok_or_throw(service_.find_agent(*o.account_owner))) {
    throw Fail{Error::Invalid("account_owner_id", "agent " + std::to_string(o.account_owner->value) + " does not exist")};
  }
}

void Api::check_fields(const TicketPatch& patch) {
  static const std::vector<AttributeSpec> kNone;
  const auto& specs = intake_.directory() ? intake_.directory()->settings().ticket_fields : kNone;
  ok_or_throw(check_attributes(patch.fields, specs, "fields"));
  for (const std::string& name : patch.removed_fields) {
    if (std::none_of(specs.begin(), specs.end(), [&](const AttributeSpec& s) { return s.name == name; })) {
      throw Fail{Error::Invalid("fields." + name, "'" + name + "' is not a declared attribute")};
    }
  }
}

Response Api::list_customers(Request& r) {
  const DirectoryQuery q = directory_query(r, true);
  return ok(page(ok_or_throw(directory_of(intake_).list_customers(q)), "customers", q.limit));
}

Response Api::get_customer(Request& r) {
  const CustomerId id{id_param(r, "customer")};
  auto c = ok_or_throw(directory_of(intake_).find_customer(id));
  if (!c) throw Fail{Error::NotFound("customer " + std::to_string(id.value))};
  json body = to_json(*c);
  if (c->organization) {
    if (auto o = ok_or_throw(directory_of(intake_).find_organization(*c->organization))) body["organization"] = to_json(*o);
  }
  return ok(std::move(body));
}

Response Api::create_customer(Request& r) {
  Customer draft = ok_or_throw(parse_customer(parse_body(r), Customer{}));
  return created(to_json(ok_or_throw(directory_of(intake_).create_customer(std::move(draft)))));
}

Response Api::update_customer(Request& r) {
  Directory& d = directory_of(intake_);
  const CustomerId id{id_param(r, "customer")};
  auto current = ok_or_throw(d.find_customer(id));
  if (!current) throw Fail{Error::NotFound("customer " + std::to_string(id.value))};
  Customer changed = ok_or_throw(parse_customer(parse_body(r), std::move(*current)));
  return ok(to_json(ok_or_throw(d.update_customer(std::move(changed)))));
}

Response Api::delete_customer(Request& r) {
  ok_or_throw(directory_of(intake_).remove_customer(CustomerId{id_param(r, "customer")}));
  return Response{204, nullptr, {}};
}

// POST /api/v1/customers/{id}/merge {"from": ID}: ID's addresses and what
// this record lacks come over; ID is removed.
Response Api::merge_customer(Request& r) {
  const json body = parse_body(r);
  Fields f(body);
  auto from = f.integer("from", 1, INT64_MAX);
  if (!from && !f.error()) throw Fail{Error::Missing("from")};
  ok_or_throw(f.finish());
  return ok(to_json(ok_or_throw(directory_of(intake_).merge_customers(CustomerId{id_param(r, "customer")}, CustomerId{*from}))));
}

// POST /api/v1/customers/import {"rows": [{external_id, emails, name,
// organization, tier, language, time_zone, attributes}, ...]} (at most
// 1,000): upserts in one commit; one result per row (switchboard import
// customers sends the CSV this way).
Response Api::import_customers(Request& r) {
  const json body = parse_body(r);
  Fields f(body);
  if (!f.has("rows") && !f.error()) throw Fail{Error::Missing("rows")};
  ok_or_throw(f.finish());
  const json& list = body.at("rows");
  if (!list.is_array() || list.size() > 1000) {
    throw Fail{Error::Invalid("rows", "'rows' must be an array of at most 1000 rows")};
  }
  std::vector<Directory::ImportRow> rows;
  for (std::size_t i = 0; i < list.size(); ++i) {
    Fields row(list[i], "rows[" + std::to_string(i) + "]");
    Directory::ImportRow out;
    for (auto [key, into] : {std::pair{"external_id", &out.external_id}, std::pair{"name", &out.name},
                             std::pair{"organization", &out.organization}, std::pair{"tier", &out.tier},
                             std::pair{"language", &out.language}, std::pair{"time_zone", &out.time_zone}}) {
      if (auto v = row.string(key, 200)) *into = *v;
    }
    if (auto e = row.strings("emails")) out.emails = std::move(*e);
    if (auto a = row.attributes("attributes")) out.attributes = std::move(*a);
    ok_or_throw(row.finish());
    rows.push_back(std::move(out));
  }
  static const char* kOutcomes[] = {"created", "updated", "unchanged", "rejected"};
  json results = json::array();
  for (const auto& res : ok_or_throw(directory_of(intake_).import_rows(rows))) {
    json one{{"outcome", kOutcomes[static_cast<int>(res.outcome)]}};
    if (res.error) {
      one["error"] = {{"code", res.error->code}, {"message", res.error->message}, {"field", res.error->field}};
    } else {
      one["id"] = res.id.value;
    }
    results.push_back(std::move(one));
  }
  return ok({{"results", std::move(results)}});
}

Response Api::list_organizations(Request& r) {
  const DirectoryQuery q = directory_query(r, false);
  return ok(page(ok_or_throw(directory_of(intake_).list_organizations(q)), "organizations", q.limit));
}

Response Api::get_organization(Request& r) {
  const OrganizationId id{id_param(r, "organization")};
  auto o = ok_or_throw(directory_of(intake_).find_organization(id));
  if (!o) throw Fail{Error::NotFound("organization " + std::to_string(id.value))};
  return ok(to_json(*o));
}

Response Api::create_organization(Request& r) {
  Organization draft = ok_or_throw(parse_organization(parse_body(r), Organization{}));
  check_account_owner(draft);
  return created(to_json(ok_or_throw(directory_of(intake_).create_organization(std::move(draft)))));
}

Response Api::update_organization(Request& r) {
  Directory& d = directory_of(intake_);
  const OrganizationId id{id_param(r, "organization")};
  auto current = ok_or_throw(d.find_organization(id));
  if (!current) throw Fail{Error::NotFound("organization " + std::to_string(id.value))};
  Organization changed = ok_or_throw(parse_organization(parse_body(r), std::move(*current)));
  check_account_owner(changed);
  return ok(to_json(ok_or_throw(d.update_organization(std::move(changed)))));
}

Response Api::delete_organization(Request& r) {
  ok_or_throw(directory_of(intake_).remove_organization(OrganizationId{id_param(r, "organization")}));
  return Response{204, nullptr, {}};
}

}  // namespace sb::http
