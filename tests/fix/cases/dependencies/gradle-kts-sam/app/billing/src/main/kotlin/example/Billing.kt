package example

import com.amazonaws.services.lambda.runtime.Context
import com.amazonaws.services.lambda.runtime.RequestHandler
import org.yaml.snakeyaml.Yaml

class Billing : RequestHandler<Map<String, Any>, String> {
    override fun handleRequest(input: Map<String, Any>, context: Context): String {
        val rates = Yaml().load<Map<String, Any>>(javaClass.getResourceAsStream("/rates.yml"))
        return rates.keys.joinToString()
    }
}
