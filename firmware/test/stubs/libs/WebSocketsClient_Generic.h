// Host stub of WebSocketsClient_Generic.h of kmwebnet/WebSockets_Generic 2.3.1 (the rainbowtype
// fork of khoih-prog's library; library.properties version=2.3.1, commit 7482db5), ESP32
// flavour: NETWORK_ESP32 with SSL_AXTLS, so beginSslWithCA takes a PEM string. The class follows
// khoih-prog's src/WebSocketsClient_Generic.h of 2.3.1, which the fork leaves unchanged, and
// WStype_t follows the fork's src/WebSockets_Generic.h. The fork defines no
// WEBSOCKETS_GENERIC_VERSION* macro (khoih-prog's later releases do; see ../wrong_lib/).
// Limited to what the sketch uses. Definitions: firmware/test/sketch_sim.cpp.
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
