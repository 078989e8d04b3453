#pragma once
// The API's JSON for customers and organisations (docs/customers.md).
// Parsing applies the body's fields onto `base`: the empty record for a
// POST, the stored one for a PATCH (attributes are merged; a null
// attribute removes it; a null organization_id, account_owner_id or tier
// clears it). Types and unknown fields are refused naming the field; the
// checks that need the configuration (tiers, declared attributes) are the
// directory's.
#include <nlohmann/json.hpp>

#include "core/customer.h"
#include "core/status.h"

namespace sb::http {

Result<Customer> parse_customer(const nlohmann::json& body, Customer base);
Result<Organization> parse_organization(const nlohmann::json& body, Organization base);
nlohmann::json to_json(const Customer& c);
nlohmann::json to_json(const Organization& o);

}  // namespace sb::http
