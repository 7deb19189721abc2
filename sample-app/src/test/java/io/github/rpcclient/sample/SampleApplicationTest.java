package io.github.rpcclient.sample;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.RequestEntity;
import org.springframework.test.context.ContextConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample end to end: its REST endpoints over real HTTP, calling its real gRPC backends, as the
 * README's curl commands do.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ContextConfiguration(initializers = SampleBackends.Initializer.class)
class SampleApplicationTest {

	@Autowired
	private TestRestTemplate rest;

	@Test
	void unaryCall() {
		Map<String, Object> book = get("/books/2");
		assertThat(book).containsEntry("title", "Release It!");
		assertThat(this.rest.getForEntity("/books/99", String.class).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
	}

	@Test
	void serverStreamingCall() {
		List<?> books = this.rest.getForObject("/books?author=Kleppmann", List.class);
		assertThat(books).hasSize(1);
	}

	@Test
	void clientStreamingCall() {
		List<Map<String, String>> newBooks = List.of(Map.of("id", "10", "title", "Refactoring", "author", "Fowler"),
				Map.of("id", "11", "title", "Domain-Driven Design", "author", "Evans"));
		Map<String, Object> response = this.rest
			.exchange(RequestEntity.post("/books").body(newBooks), new ParameterizedTypeReference<Map<String, Object>>() {
			})
			.getBody();
		assertThat(response).containsEntry("added", 2);
		assertThat(this.rest.getForObject("/books?author=Evans", List.class)).hasSize(1);
	}

	@Test
	void bidiStreamingCall() {
		List<String> replies = this.rest.exchange(RequestEntity.post("/chat").body(List.of("hello", "bye")),
				new ParameterizedTypeReference<List<String>>() {
				})
			.getBody();
		assertThat(replies).containsExactly("librarian: you said 'hello'", "librarian: you said 'bye'");
	}

	@Test
	void actuatorShowsTheChannel() {
		assertThat(get("/actuator/grpcclients")).containsKey("book-service");
		assertThat(get("/actuator/health").get("components").toString()).contains("grpcClients");
		this.rest.getForObject("/books/1", String.class);
		assertThat(get("/actuator/metrics/grpc.client").toString()).contains("grpc.client.name", "book-service");
	}

	private Map<String, Object> get(String path) {
		return this.rest.exchange(RequestEntity.get(path).build(), new ParameterizedTypeReference<Map<String, Object>>() {
		}).getBody();
	}

}
