// Serial logging with a level from config.h (LOG_LEVEL: 0 none, 1 error, 2 warn, 3 info,
// 4 debug). Lines look like "    123456 I hub connected: /ws".
//
// The level test is an ordinary `if` on a constant rather than #if, so the compiler still checks
// every format string against its arguments (Print::printf carries the printf attribute) and
// then drops the disabled calls.
#ifndef TRUSTCAM_LOG_H
#define TRUSTCAM_LOG_H

#include <Arduino.h>

#define TC_LOG(level, tag, fmt, ...)                                                      \
  do {                                                                                    \
    if (LOG_LEVEL >= (level)) {                                                           \
      Serial.printf("%10lu " tag " " fmt "\r\n", static_cast<unsigned long>(millis()),    \
                    ##__VA_ARGS__);                                                       \
    }                                                                                     \
  } while (0)

#define LOG_E(fmt, ...) TC_LOG(1, "E", fmt, ##__VA_ARGS__)
#define LOG_W(fmt, ...) TC_LOG(2, "W", fmt, ##__VA_ARGS__)
#define LOG_I(fmt, ...) TC_LOG(3, "I", fmt, ##__VA_ARGS__)
#define LOG_D(fmt, ...) TC_LOG(4, "D", fmt, ##__VA_ARGS__)

#endif  // TRUSTCAM_LOG_H
