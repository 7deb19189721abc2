package io.github.rpcclient.sample;

import java.util.Map;
import java.util.TreeMap;

import io.github.rpcclient.route.PodRegistry;
import io.github.rpcclient.route.StatefulRouteDriver;
import io.github.rpcclient.route.StatefulRouting;
import io.github.rpcclient.sample.proto.JoinReply;
import io.github.rpcclient.sample.proto.JoinRequest;
import io.github.rpcclient.sample.proto.SessionServiceGrpc;
import io.github.rpcclient.stub.GrpcClient;
import io.grpc.StatusRuntimeException;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * REST front of the stateful session service: every call for a user goes to that user's pod.
 */
@RestController
class SessionController {

	private static final String SERVICE = "session";

	@GrpcClient(SERVICE)
	private SessionServiceGrpc.SessionServiceBlockingStub sessions;

	private final StatefulRouteDriver driver;

	private final PodRegistry pods;

	private final SampleBackends backends;

	SessionController(StatefulRouteDriver driver, PodRegistry pods, SampleBackends backends) {
		this.driver = driver;
		this.pods = pods;
		this.backends = backends;
	}

	/** {@code POST /sessions/alice}: joins the user's session on its pod. */
	@PostMapping("/sessions/{user}")
	Map<String, Object> join(@PathVariable String user) {
		JoinReply reply = this.sessions.withOption(StatefulRouting.UID, user)
			.join(JoinRequest.newBuilder().setUser(user).build());
		return Map.of("user", user, "pod", reply.getPod(), "usersOnPod", reply.getUsersOnPod(), "links",
				this.driver.getLinkService(this.driver.localNamespace(), user));
	}

	/** {@code GET /pods}: the session pods and their states. */
	@GetMapping("/pods")
	Map<Integer, String> pods() {
		String namespace = this.driver.localNamespace();
		Map<Integer, String> states = new TreeMap<>();
		this.pods.pods(namespace, SERVICE)
			.forEach((index, pod) -> states.put(index, this.pods.stateOf(namespace, SERVICE, index) + " " + pod.address()));
		return states;
	}

	/** {@code POST /pods/2/drain}: the pod keeps its users, new users go elsewhere. */
	@PostMapping("/pods/{index}/drain")
	Map<Integer, String> drain(@PathVariable int index) {
		this.backends.sessionPod(index).drain();
		this.pods.refresh();
		return pods();
	}

	/** {@code POST /pods/2/kill}: the pod dies; its users move once its heartbeat lapses. */
	@PostMapping("/pods/{index}/kill")
	Map<Integer, String> kill(@PathVariable int index) {
		this.backends.sessionPod(index).kill();
		return pods();
	}

	@ExceptionHandler(StatusRuntimeException.class)
	ResponseEntity<Map<String, String>> unavailable(StatusRuntimeException ex) {
		return ResponseEntity.status(503)
			.body(Map.of("status", ex.getStatus().getCode().name(), "description",
					String.valueOf(ex.getStatus().getDescription())));
	}

}
