package io.github.rpcclient.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.rpcclient.sample.proto.AddBooksResponse;
import io.github.rpcclient.sample.proto.Book;
import io.github.rpcclient.sample.proto.BookServiceGrpc;
import io.github.rpcclient.sample.proto.ChatMessage;
import io.github.rpcclient.sample.proto.GetBookRequest;
import io.github.rpcclient.sample.proto.ListBooksRequest;
import io.github.rpcclient.stub.GrpcClient;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * REST front of the book service, one endpoint per gRPC call type.
 */
@RestController
class BookController {

	@GrpcClient("book-service")
	private BookServiceGrpc.BookServiceBlockingStub books;

	@GrpcClient("book-service")
	private BookServiceGrpc.BookServiceStub asyncBooks;

	/** Unary: {@code GET /books/1}. */
	@GetMapping("/books/{id}")
	BookView book(@PathVariable String id) {
		return BookView.of(this.books.getBook(GetBookRequest.newBuilder().setId(id).build()));
	}

	/** Server streaming: {@code GET /books?author=Nygard}. */
	@GetMapping("/books")
	List<BookView> list(@RequestParam(defaultValue = "") String author) {
		List<BookView> result = new ArrayList<>();
		this.books.listBooks(ListBooksRequest.newBuilder().setAuthor(author).build())
			.forEachRemaining((book) -> result.add(BookView.of(book)));
		return result;
	}

	/** Client streaming: {@code POST /books} with a JSON array of books. */
	@PostMapping("/books")
	AddBooksResponseView add(@RequestBody List<BookView> newBooks) throws Exception {
		CompletableFuture<AddBooksResponse> done = new CompletableFuture<>();
		StreamObserver<Book> upload = this.asyncBooks.addBooks(new Completion<>(done));
		newBooks.forEach((book) -> upload.onNext(book.toProto()));
		upload.onCompleted();
		return new AddBooksResponseView(done.get(10, TimeUnit.SECONDS).getAdded());
	}

	/** Bidirectional streaming: {@code POST /chat} with a JSON array of lines. */
	@PostMapping("/chat")
	List<String> chat(@RequestBody List<String> lines) throws Exception {
		CompletableFuture<Void> done = new CompletableFuture<>();
		List<String> replies = new ArrayList<>();
		StreamObserver<ChatMessage> conversation = this.asyncBooks.chat(new StreamObserver<>() {

			@Override
			public void onNext(ChatMessage message) {
				synchronized (replies) {
					replies.add(message.getText());
				}
			}

			@Override
			public void onError(Throwable error) {
				done.completeExceptionally(error);
			}

			@Override
			public void onCompleted() {
				done.complete(null);
			}

		});
		lines.forEach((line) -> conversation.onNext(ChatMessage.newBuilder().setText(line).build()));
		conversation.onCompleted();
		done.get(10, TimeUnit.SECONDS);
		synchronized (replies) {
			return List.copyOf(replies);
		}
	}

	@ExceptionHandler(StatusRuntimeException.class)
	ResponseEntity<String> grpcError(StatusRuntimeException ex) {
		HttpStatus status = switch (ex.getStatus().getCode()) {
			case NOT_FOUND -> HttpStatus.NOT_FOUND;
			case INVALID_ARGUMENT, FAILED_PRECONDITION -> HttpStatus.BAD_REQUEST;
			case DEADLINE_EXCEEDED -> HttpStatus.GATEWAY_TIMEOUT;
			default -> HttpStatus.SERVICE_UNAVAILABLE;
		};
		return ResponseEntity.status(status).body(ex.getStatus().toString());
	}

	record BookView(String id, String title, String author) {

		static BookView of(Book book) {
			return new BookView(book.getId(), book.getTitle(), book.getAuthor());
		}

		Book toProto() {
			return Book.newBuilder().setId(this.id).setTitle(this.title).setAuthor(this.author).build();
		}

	}

	record AddBooksResponseView(int added) {
	}

	/** Completes a future with a single response. */
	private static final class Completion<T> implements StreamObserver<T> {

		private final CompletableFuture<T> future;

		private T value;

		Completion(CompletableFuture<T> future) {
			this.future = future;
		}

		@Override
		public void onNext(T value) {
			this.value = value;
		}

		@Override
		public void onError(Throwable error) {
			this.future.completeExceptionally(error);
		}

		@Override
		public void onCompleted() {
			this.future.complete(this.value);
		}

	}

}
