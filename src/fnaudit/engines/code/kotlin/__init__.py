"""The Kotlin front end: Lambda handlers written in Kotlin, analysed with the language-neutral taint core."""
