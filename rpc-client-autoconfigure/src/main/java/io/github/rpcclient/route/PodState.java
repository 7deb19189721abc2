package io.github.rpcclient.route;

/**
 * What a pod of a stateful service accepts.
 */
public enum PodState {

	/** Keeps its users and accepts new links. */
	ROUTABLE,

	/** Keeps its linked users but takes no new ones (shutting down gracefully, say). */
	DRAINING,

	/** Gone: its users move to another pod on their next call. */
	DOWN

}
