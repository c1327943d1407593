// A deliberately wrong library for the firmware check: stands in for khoih-prog's
// WebSockets_Generic 2.16.1 from the Library Manager, whose src/WebSocketsVersion_Generic.h
// (reached from WebSocketsClient_Generic.h) defines the version macros below. On ESP32 that
// library calls only setCACert, so the board would present no client certificate; the sketch
// must refuse it at compile time. The class itself is the fork's stub (the API is the same).
#ifndef TRUSTCAM_STUB_WRONG_WEBSOCKETS_H
#define TRUSTCAM_STUB_WRONG_WEBSOCKETS_H

#define WEBSOCKETS_GENERIC_VERSION "WebSockets_Generic v2.16.1"
#define WEBSOCKETS_GENERIC_VERSION_MAJOR 2
#define WEBSOCKETS_GENERIC_VERSION_MINOR 16
#define WEBSOCKETS_GENERIC_VERSION_PATCH 1
#define WEBSOCKETS_GENERIC_VERSION_INT 2016001

#include "../libs/WebSocketsClient_Generic.h"

#endif  // TRUSTCAM_STUB_WRONG_WEBSOCKETS_H
