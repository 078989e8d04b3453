#pragma once
// Databases on the throwaway PostgreSQL cluster ctest starts for the tests
// that need it (the `postgres` fixture, scripts/pg-cluster): it writes the
// server's URL to a file. Each test takes a database of its own; the cluster
// and its databases go when the tests end. Needs libpqxx.
#include <unistd.h>

#include <fstream>
#include <pqxx/pqxx>
#include <string>

namespace sb::testing {

// The cluster's URL (to its "postgres" database), or "" when it is not running.
inline std::string pg_test_server(const std::string& url_file) {
  std::ifstream in(url_file);
  std::string url;
  std::getline(in, url);
  return url;
}

// Creates a database named `prefix`_<pid>_<n> on `server` and returns its URL.
inline std::string create_pg_database(const std::string& server, const std::string& prefix) {
  static int counter = 0;
  const std::string name = prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  pqxx::connection admin(server);
  pqxx::nontransaction(admin).exec("CREATE DATABASE " + name);
  return server.substr(0, server.rfind('/') + 1) + name;
}

}  // namespace sb::testing
