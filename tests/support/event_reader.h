#pragma once
// Reads a Server-Sent Events stream (GET /api/v1/events) over a plain socket.
#include <boost/asio.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <thread>

namespace sb::testing {

// Reads Server-Sent Events from the server over a plain socket.
class EventReader {
 public:
  EventReader(std::uint16_t port, const std::string& target, const std::string& extra_headers = "")
      : socket_(io_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    const std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n" + extra_headers +
                            "\r\n";
    boost::asio::write(socket_, boost::asio::buffer(req));
  }
  // The next event (its fields), skipping comments; or an empty map after `limit`.
  std::map<std::string, std::string> next(std::chrono::seconds limit = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
      if (!head_done_) {
        if (auto at = buffer_.find("\r\n\r\n"); at != std::string::npos) {
          head = buffer_.substr(0, at);
          buffer_.erase(0, at + 4);
          head_done_ = true;
        }
      }
      if (head_done_) {
        while (auto at = buffer_.find("\n\n")) {
          if (at == std::string::npos) break;
          std::string block = buffer_.substr(0, at);
          buffer_.erase(0, at + 2);
          std::map<std::string, std::string> fields;
          std::size_t pos = 0;
          while (pos < block.size()) {
            auto end = block.find('\n', pos);
            std::string line = block.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
            pos = end == std::string::npos ? block.size() : end + 1;
            if (line.empty() || line[0] == ':') continue;
            auto colon = line.find(": ");
            if (colon != std::string::npos) fields[line.substr(0, colon)] = line.substr(colon + 2);
          }
          if (fields.count("data")) return fields;
        }
      }
      if (std::chrono::steady_clock::now() > deadline) return {};
      if (socket_.available() == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        continue;
      }
      char buf[4096];
      const std::size_t n = socket_.read_some(boost::asio::buffer(buf));
      buffer_.append(buf, n);
    }
  }
  std::string head;

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  std::string buffer_;
  bool head_done_ = false;
};

}  // namespace sb::testing
