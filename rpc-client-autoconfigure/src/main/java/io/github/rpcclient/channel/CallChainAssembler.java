package io.github.rpcclient.channel;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.github.rpcclient.settings.ServiceSettings;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;

/**
 * Puts a service's interceptor chain in front of its channel, once per service: the interceptor of
 * every {@link ServiceInterceptorProvider} that has one for the service, lowest order outermost,
 * and the count of in-flight calls around them all. Adjacent {@link CallObserver observers} (the
 * count, request ids, logging, the call timer, failure hints) are fused into one wrapper per call.
 */
public class CallChainAssembler {

	private final List<ServiceInterceptorProvider> providers;

	/**
	 * Creates the assembler.
	 * @param providers the places of the chain, in any order
	 */
	public CallChainAssembler(List<ServiceInterceptorProvider> providers) {
		List<ServiceInterceptorProvider> sorted = new ArrayList<>(providers);
		sorted.sort(Comparator.comparingInt(ServiceInterceptorProvider::getOrder));
		this.providers = List.copyOf(sorted);
	}

	/**
	 * Assembles the chain of one service.
	 * @param service the service
	 * @param managedChannel its transport channel
	 * @return the service's channel and the chain in front of it
	 */
	public ServiceChannel assemble(ServiceSettings service, ManagedChannel managedChannel) {
		InFlightCalls inFlight = new InFlightCalls();
		List<ClientInterceptor> interceptors = new ArrayList<>(this.providers.size() + 1);
		interceptors.add(inFlight);
		for (ServiceInterceptorProvider provider : this.providers) {
			ClientInterceptor interceptor = provider.interceptorFor(service);
			if (interceptor != null) {
				interceptors.add(interceptor);
			}
		}
		Channel callChannel = ClientInterceptors.interceptForward(managedChannel, fuseObservers(interceptors));
		return new ServiceChannel(service, managedChannel, callChannel, inFlight);
	}

	/**
	 * Replaces each run of adjacent {@link CallObserver observers} by one interceptor, so that they
	 * share one call and one listener per call. Other interceptors keep their places between them.
	 */
	static List<ClientInterceptor> fuseObservers(List<ClientInterceptor> interceptors) {
		List<ClientInterceptor> fused = new ArrayList<>(interceptors.size());
		List<CallObserver> run = new ArrayList<>();
		for (ClientInterceptor interceptor : interceptors) {
			if (interceptor instanceof CallObserver observer) {
				run.add(observer);
				continue;
			}
			endRun(run, fused);
			fused.add(interceptor);
		}
		endRun(run, fused);
		return fused;
	}

	private static void endRun(List<CallObserver> run, List<ClientInterceptor> fused) {
		if (!run.isEmpty()) {
			fused.add(CallObserver.fuse(run.toArray(new CallObserver[0])));
			run.clear();
		}
	}

}
