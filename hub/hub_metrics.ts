/** The hub's Prometheus metrics, named once here so the relay and routes share them. */
import { Metrics } from "../lib/metrics.ts";

export function createHubMetrics() {
  const metrics = new Metrics();
  return {
    metrics,
    framesIn: metrics.counter("trustcam_frames_in_total", "Valid frames received", ["serial"]),
    bytesIn: metrics.counter("trustcam_bytes_in_total", "JPEG bytes received", ["serial"]),
    framesBad: metrics.counter(
      "trustcam_frames_bad_total",
      "Device messages dropped as invalid",
      ["serial", "reason"],
    ),
    framesDropped: metrics.counter(
      "trustcam_frames_dropped_total",
      "Well-formed device frames dropped: over the device's --max-fps",
      ["serial", "reason"],
    ),
    framesOut: metrics.counter("trustcam_frames_out_total", "Frames sent to viewers", ["serial"]),
    bytesOut: metrics.counter("trustcam_bytes_out_total", "Bytes sent to viewers", ["serial"]),
    framesSkipped: metrics.counter(
      "trustcam_frames_skipped_total",
      "Frames not sent to a viewer that was behind",
      ["serial"],
    ),
    connections: metrics.gauge("trustcam_connections", "Open WebSocket connections", ["role"]),
    streams: metrics.gauge(
      "trustcam_streams",
      "Open long-lived HTTP responses (MJPEG) and running exports",
    ),
    busSubscriptions: metrics.gauge(
      "trustcam_bus_subscriptions",
      "Live subscriptions on the in-process bus (0 when another bus is in use)",
    ),
    timers: metrics.gauge(
      "trustcam_process_timers",
      "Active timers that keep the process alive (unref'd timers are not counted)",
    ),
    handshakesRefused: metrics.counter(
      "trustcam_handshakes_refused_total",
      "TLS handshakes refused, and connections closed before TLS by the connection caps",
      ["reason"],
    ),
    listenerRestarts: metrics.counter(
      "trustcam_listener_restarts_total",
      "Listening sockets re-opened because they stopped accepting",
      [],
    ),
    upgradesRefused: metrics.counter(
      "trustcam_upgrades_refused_total",
      "WebSocket upgrades and HTTP requests refused after TLS",
      ["reason"],
    ),
    closes: metrics.counter(
      "trustcam_closes_total",
      "WebSocket connections closed by the hub",
      ["role", "reason"],
    ),
    controlRejected: metrics.counter(
      "trustcam_control_rejected_total",
      "Viewer control messages refused",
      ["code"],
    ),
    recorderFrames: metrics.counter(
      "trustcam_recorder_frames_total",
      "Frames written to the recording archive",
      ["serial"],
    ),
    recorderBytes: metrics.counter(
      "trustcam_recorder_bytes_total",
      "JPEG bytes written to the recording archive",
      ["serial"],
    ),
    recorderDropped: metrics.counter(
      "trustcam_recorder_dropped_total",
      "Frames not recorded: the disk was behind (queue full) or a write failed",
      ["serial"],
    ),
    recorderPaused: metrics.counter(
      "trustcam_recorder_paused_frames_total",
      "Frames not recorded because recording was paused at the free-space floor",
      ["serial"],
    ),
    recordingPaused: metrics.gauge(
      "trustcam_recording_paused",
      "Whether recording is paused (1): free space under --min-free-bytes, nothing to delete",
    ),
    retentionDeletedBytes: metrics.counter(
      "trustcam_retention_deleted_bytes_total",
      "Recording bytes deleted by retention (reason: age, quota, floor)",
      ["reason"],
    ),
    retentionDeletedSegments: metrics.counter(
      "trustcam_retention_deleted_segments_total",
      "Recording segments deleted by retention (reason: age, quota, floor)",
      ["reason"],
    ),
    mqttConnected: metrics.gauge(
      "trustcam_mqtt_connected",
      "Whether the MQTT bridge is connected to its broker (1); 0 without --mqtt",
    ),
    mqttPublished: metrics.counter(
      "trustcam_mqtt_published_total",
      "MQTT messages handed to the broker connection (kind: config, state, snapshot, event)",
      ["kind"],
    ),
    mqttDropped: metrics.counter(
      "trustcam_mqtt_dropped_total",
      "MQTT messages dropped: the broker was away or slow (snapshots go first)",
      ["kind"],
    ),
    motionAnalyzed: metrics.counter(
      "trustcam_motion_frames_analyzed_total",
      "Frames motion detection analyzed",
      ["serial"],
    ),
    motionSkipped: metrics.counter(
      "trustcam_motion_frames_skipped_total",
      "Frames motion detection had no time for (a newer frame replaced one due)",
      ["serial"],
    ),
    motionEvents: metrics.counter(
      "trustcam_motion_events_total",
      "Motion events started",
      ["serial"],
    ),
    motionPreRollDropped: metrics.counter(
      "trustcam_motion_preroll_dropped_total",
      "Frames motion recording's pre-roll let go early: the camera's 16 MiB were full",
      ["serial"],
    ),
    reducedFrames: metrics.counter(
      "trustcam_reduced_frames_total",
      "Reduced frames made for thin links (once per camera frame, shared by its viewers)",
      ["size"],
    ),
    reducedSkipped: metrics.counter(
      "trustcam_reduced_skipped_total",
      "Camera frames not reduced (reason: max_fps, busy: a newer frame replaced it, failed)",
      ["size", "reason"],
    ),
    httpRequests: metrics.counter("trustcam_http_requests_total", "HTTP responses", ["status"]),
  };
}

export type HubMetrics = ReturnType<typeof createHubMetrics>;
