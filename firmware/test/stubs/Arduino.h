// Host stub of the ESP32 Arduino core (arduino-esp32 1.0.x), for the firmware compile check.
// Declarations only, with the core's signatures, limited to what the sketch uses; the
// definitions live in firmware/test/sketch_sim.cpp. Not the real header: keep it minimal, and
// never loosen a signature to make code compile.
#ifndef TRUSTCAM_STUB_ARDUINO_H
#define TRUSTCAM_STUB_ARDUINO_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

// cores/esp32/esp32-hal.h
unsigned long millis();
void delay(uint32_t ms);

// cores/esp32/esp32-hal-psram.h
bool psramFound();

// esp_system.h (ESP-IDF), reached through esp32-hal.h
extern "C" uint32_t esp_random(void);

// cores/esp32/Print.h + HardwareSerial.h
class Print {
 public:
  virtual ~Print() {}
  size_t printf(const char* format, ...) __attribute__((format(printf, 2, 3)));
};

class HardwareSerial : public Print {
 public:
  void begin(unsigned long baud, uint32_t config = 0x800001c, int8_t rxPin = -1,
             int8_t txPin = -1, bool invert = false, unsigned long timeout_ms = 20000UL);
};

extern HardwareSerial Serial;

// cores/esp32/Esp.h
class EspClass {
 public:
  uint32_t getFreeHeap();
  uint32_t getFreePsram();
};

extern EspClass ESP;

#endif  // TRUSTCAM_STUB_ARDUINO_H
