package io.github.rpcclient.sample;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.rpcclient.sample.proto.AddBooksResponse;
import io.github.rpcclient.sample.proto.Book;
import io.github.rpcclient.sample.proto.BookServiceGrpc;
import io.github.rpcclient.sample.proto.ChatMessage;
import io.github.rpcclient.sample.proto.GetBookRequest;
import io.github.rpcclient.sample.proto.ListBooksRequest;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/**
 * The sample's book backend: an in-memory catalogue served over gRPC.
 */
class BookBackend extends BookServiceGrpc.BookServiceImplBase {

	private final Map<String, Book> books = new ConcurrentSkipListMap<>();

	private final AtomicInteger failures = new AtomicInteger();

	BookBackend() {
		add(Book.newBuilder().setId("1").setTitle("The Pragmatic Programmer").setAuthor("Hunt").build());
		add(Book.newBuilder().setId("2").setTitle("Release It!").setAuthor("Nygard").build());
		add(Book.newBuilder().setId("3").setTitle("Designing Data-Intensive Applications").setAuthor("Kleppmann").build());
	}

	/**
	 * Makes the next calls of GetBook fail with UNAVAILABLE, as a flaky backend would.
	 * @param count how many calls fail
	 */
	void failNext(int count) {
		this.failures.set(count);
	}

	private void add(Book book) {
		this.books.put(book.getId(), book);
	}

	@Override
	public void getBook(GetBookRequest request, StreamObserver<Book> observer) {
		if (this.failures.getAndUpdate((left) -> Math.max(0, left - 1)) > 0) {
			observer.onError(Status.UNAVAILABLE.withDescription("flaky backend: failing on purpose").asRuntimeException());
			return;
		}
		Book book = this.books.get(request.getId());
		if (book == null) {
			observer.onError(Status.NOT_FOUND.withDescription("No book " + request.getId()).asRuntimeException());
			return;
		}
		observer.onNext(book);
		observer.onCompleted();
	}

	@Override
	public void listBooks(ListBooksRequest request, StreamObserver<Book> observer) {
		this.books.values()
			.stream()
			.filter((book) -> request.getAuthor().isEmpty() || book.getAuthor().equalsIgnoreCase(request.getAuthor()))
			.forEach(observer::onNext);
		observer.onCompleted();
	}

	@Override
	public StreamObserver<Book> addBooks(StreamObserver<AddBooksResponse> observer) {
		return new StreamObserver<>() {

			private int added;

			@Override
			public void onNext(Book book) {
				add(book);
				this.added++;
			}

			@Override
			public void onError(Throwable error) {
			}

			@Override
			public void onCompleted() {
				observer.onNext(AddBooksResponse.newBuilder().setAdded(this.added).build());
				observer.onCompleted();
			}

		};
	}

	@Override
	public StreamObserver<ChatMessage> chat(StreamObserver<ChatMessage> observer) {
		return new StreamObserver<>() {

			@Override
			public void onNext(ChatMessage message) {
				observer.onNext(ChatMessage.newBuilder().setText("librarian: you said '" + message.getText() + "'").build());
			}

			@Override
			public void onError(Throwable error) {
			}

			@Override
			public void onCompleted() {
				observer.onCompleted();
			}

		};
	}

}
