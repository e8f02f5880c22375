plugins {
    kotlin("jvm") version "1.9.24"
}

val lambdaCoreVersion = "1.2.3"

dependencies {
    implementation("com.amazonaws:aws-lambda-java-core:$lambdaCoreVersion")
    implementation("org.yaml:snakeyaml:1.33") // rates file
    testImplementation("org.junit.jupiter:junit-jupiter:5.10.2")
}
