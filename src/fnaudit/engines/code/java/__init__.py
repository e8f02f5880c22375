"""The Java front end of the code engine (handlers `com.acme.Foo::handleRequest`)."""
