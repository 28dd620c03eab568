package org.cairnfs.protocol.server;

/**
 * What an introducer does with Publish and Subscribe; announcements are opaque bytes here (the
 * introducer module defines and verifies their content).
 *
 * <p>Called on the backend executor; same ordering and exception rules as {@link StorageBackend}.
 */
public interface IntroducerBackend {

  /** Accepts (after verifying) one signed announcement; REJECTED if it does not verify. */
  void publish(Caller caller, byte[] signedAnnouncement) throws RequestException;

  /**
   * Registers a subscriber. The backend typically pushes the current announcements at once and
   * later ones as they arrive; it should forget the subscription when it closes.
   */
  void subscribe(Caller caller, Subscription subscription) throws RequestException;
}
