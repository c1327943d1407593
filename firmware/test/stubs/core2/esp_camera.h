// Host stub of esp_camera.h + sensor.h + driver/ledc.h of espressif/esp32-camera 2.0.x, the
// driver the ESP32 Arduino core 2.0.x ships (sensor.h as of commit 0070a60 of
// driver/include/sensor.h): fb_location and grab_mode in camera_config_t, pin_sccb_* with the
// old pin_sscb_* names as deprecated union aliases, camera_fb_t.timestamp. Enum values in
// upstream order; limited to what the sketch uses. Definitions: firmware/test/sketch_sim.cpp.
#ifndef TRUSTCAM_STUB_ESP_CAMERA_H
#define TRUSTCAM_STUB_ESP_CAMERA_H

#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

// esp_err.h
typedef int esp_err_t;
#define ESP_OK 0
#define ESP_FAIL -1

// driver/ledc.h (ESP-IDF 4.4, ESP32)
typedef enum { LEDC_TIMER_0 = 0, LEDC_TIMER_1, LEDC_TIMER_2, LEDC_TIMER_3, LEDC_TIMER_MAX } ledc_timer_t;
typedef enum {
  LEDC_CHANNEL_0 = 0,
  LEDC_CHANNEL_1,
  LEDC_CHANNEL_2,
  LEDC_CHANNEL_3,
  LEDC_CHANNEL_4,
  LEDC_CHANNEL_5,
  LEDC_CHANNEL_6,
  LEDC_CHANNEL_7,
  LEDC_CHANNEL_MAX
} ledc_channel_t;

// sensor.h
typedef enum {
  PIXFORMAT_RGB565,
  PIXFORMAT_YUV422,
  PIXFORMAT_GRAYSCALE,
  PIXFORMAT_JPEG,
  PIXFORMAT_RGB888,
  PIXFORMAT_RAW,
  PIXFORMAT_RGB444,
  PIXFORMAT_RGB555
} pixformat_t;

typedef enum {
  FRAMESIZE_96X96,
  FRAMESIZE_QQVGA,
  FRAMESIZE_QCIF,
  FRAMESIZE_HQVGA,
  FRAMESIZE_240X240,
  FRAMESIZE_QVGA,
  FRAMESIZE_CIF,
  FRAMESIZE_HVGA,
  FRAMESIZE_VGA,
  FRAMESIZE_SVGA,
  FRAMESIZE_XGA,
  FRAMESIZE_HD,
  FRAMESIZE_SXGA,
  FRAMESIZE_UXGA,
  FRAMESIZE_FHD,
  FRAMESIZE_P_HD,
  FRAMESIZE_P_3MP,
  FRAMESIZE_QXGA,
  FRAMESIZE_QHD,
  FRAMESIZE_WQXGA,
  FRAMESIZE_P_FHD,
  FRAMESIZE_QSXGA,
  FRAMESIZE_INVALID
} framesize_t;

#ifdef __cplusplus
extern "C" {
#endif

// esp_camera.h
typedef enum { CAMERA_GRAB_WHEN_EMPTY, CAMERA_GRAB_LATEST } camera_grab_mode_t;
typedef enum { CAMERA_FB_IN_PSRAM, CAMERA_FB_IN_DRAM } camera_fb_location_t;

typedef struct {
  int pin_pwdn;
  int pin_reset;
  int pin_xclk;
  union {
    int pin_sccb_sda;
    int pin_sscb_sda __attribute__((deprecated("please use pin_sccb_sda instead")));
  };
  union {
    int pin_sccb_scl;
    int pin_sscb_scl __attribute__((deprecated("please use pin_sccb_scl instead")));
  };
  int pin_d7;
  int pin_d6;
  int pin_d5;
  int pin_d4;
  int pin_d3;
  int pin_d2;
  int pin_d1;
  int pin_d0;
  int pin_vsync;
  int pin_href;
  int pin_pclk;
  int xclk_freq_hz;
  ledc_timer_t ledc_timer;
  ledc_channel_t ledc_channel;
  pixformat_t pixel_format;
  framesize_t frame_size;
  int jpeg_quality;
  size_t fb_count;
  camera_fb_location_t fb_location;
  camera_grab_mode_t grab_mode;
  int sccb_i2c_port;
} camera_config_t;

typedef struct {
  uint8_t* buf;
  size_t len;
  size_t width;
  size_t height;
  pixformat_t format;
  struct timeval timestamp;
} camera_fb_t;

esp_err_t esp_camera_init(const camera_config_t* config);
camera_fb_t* esp_camera_fb_get();
void esp_camera_fb_return(camera_fb_t* fb);

#ifdef __cplusplus
}

// Not in the real header: makes handing a literal null back to the driver (the seed's bug)
// a compile error here. A null held in a variable is caught by the host simulation.
void esp_camera_fb_return(decltype(nullptr)) = delete;
#endif

#endif  // TRUSTCAM_STUB_ESP_CAMERA_H
