// Host stub of WebSocketsClient_Generic.h (khoih-prog/WebSockets_Generic 2.3.x, as forked by
// kmwebnet/WebSockets_Generic for rainbowtype), ESP32 flavour (SSL_AXTLS: beginSslWithCA takes
// a PEM string). Limited to what the sketch uses. Definitions: firmware/test/sketch_sim.cpp.
#ifndef TRUSTCAM_STUB_WEBSOCKETS_CLIENT_GENERIC_H
#define TRUSTCAM_STUB_WEBSOCKETS_CLIENT_GENERIC_H

#include <Arduino.h>

#include <functional>

// WebSockets_Generic.h
typedef enum {
  WStype_ERROR,
  WStype_DISCONNECTED,
  WStype_CONNECTED,
  WStype_TEXT,
  WStype_BIN,
  WStype_FRAGMENT_TEXT_START,
  WStype_FRAGMENT_BIN_START,
  WStype_FRAGMENT,
  WStype_FRAGMENT_FIN,
  WStype_PING,
  WStype_PONG,
} WStype_t;

class WebSocketsClient {
 public:
  typedef std::function<void(WStype_t type, uint8_t* payload, size_t length)>
      WebSocketClientEvent;

  WebSocketsClient(void);
  virtual ~WebSocketsClient(void);

  void beginSslWithCA(const char* host, uint16_t port, const char* url = "/",
                      const char* CA_cert = NULL, const char* protocol = "arduino");

  void loop(void);
  void onEvent(WebSocketClientEvent cbEvent);

  bool sendTXT(uint8_t* payload, size_t length = 0, bool headerToPayload = false);
  bool sendTXT(const uint8_t* payload, size_t length = 0);
  bool sendTXT(char* payload, size_t length = 0, bool headerToPayload = false);
  bool sendTXT(const char* payload, size_t length = 0);
  bool sendTXT(char payload);

  bool sendBIN(uint8_t* payload, size_t length, bool headerToPayload = false);
  bool sendBIN(const uint8_t* payload, size_t length);

  void setReconnectInterval(unsigned long time);
  void enableHeartbeat(uint32_t pingInterval, uint32_t pongTimeout,
                       uint8_t disconnectTimeoutCount);
};

#endif  // TRUSTCAM_STUB_WEBSOCKETS_CLIENT_GENERIC_H
